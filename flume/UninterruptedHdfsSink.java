package org.activitylab.flume;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.flume.EventDeliveryException;
import org.apache.flume.sink.hdfs.HDFSEventSink;

/**
 * Flume's HDFS sink, except that stopping the agent never splits a batch.
 *
 * On stop, Flume interrupts the sink's thread. If a batch is being written, HDFSEventSink gives up
 * waiting for it and rolls its channel transaction back, but the lines already handed to HDFS are
 * flushed when the files are closed a moment later: after the restart the channel delivers the batch
 * again and those lines are in HDFS twice. Here each batch runs on a worker thread the interrupt does
 * not reach; the sink's thread waits for it to commit or roll back on its own, then lets the stop go on.
 *
 *   a1.sinks.hdfs.type = org.activitylab.flume.UninterruptedHdfsSink   (all hdfs.* settings unchanged)
 */
public class UninterruptedHdfsSink extends HDFSEventSink {
  private ExecutorService worker;

  @Override
  public void start() {
    worker = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "hdfs-sink-batch-" + getName());
      thread.setDaemon(true);
      return thread;
    });
    super.start();
  }

  @Override
  public Status process() throws EventDeliveryException {
    // The channel transaction is per thread: begun, committed or rolled back all on the worker.
    Future<Status> batch = worker.submit(super::process);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return batch.get();
        } catch (InterruptedException e) {
          interrupted = true;  // a stop is coming: finish this batch first
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof EventDeliveryException) {
            throw (EventDeliveryException) cause;
          }
          if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
          }
          if (cause instanceof Error) {
            throw (Error) cause;
          }
          throw new EventDeliveryException(cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();  // SinkRunner sees it and stops
      }
    }
  }

  @Override
  public void stop() {
    super.stop();
    worker.shutdown();
  }
}
