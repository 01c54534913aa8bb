package org.activitylab.flume;

import org.apache.flume.EventDeliveryException;
import org.apache.flume.sink.hdfs.HDFSEventSink;

/**
 * Flume's HDFS sink, except that stopping the agent never splits a batch.
 *
 * On stop, Flume interrupts the sink's thread. If a batch is being written, HDFSEventSink gives up
 * waiting for it and rolls its channel transaction back, but the lines already handed to HDFS are
 * flushed when the files are closed a moment later: after the restart the channel delivers the batch
 * again and those lines are in HDFS twice. Here each batch runs on an UninterruptedWorker: the sink's
 * thread waits for it to commit or roll back on its own, then lets the stop go on.
 *
 *   a1.sinks.hdfs.type = org.activitylab.flume.UninterruptedHdfsSink   (all hdfs.* settings unchanged)
 */
public class UninterruptedHdfsSink extends HDFSEventSink {
  private UninterruptedWorker worker;

  @Override
  public void start() {
    worker = new UninterruptedWorker("hdfs-sink-batch-" + getName());
    super.start();
  }

  @Override
  public Status process() throws EventDeliveryException {
    return worker.call(super::process);
  }

  @Override
  public void stop() {
    super.stop();
    worker.shutdown();
  }
}
