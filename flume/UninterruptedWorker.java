package org.activitylab.flume;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.flume.EventDeliveryException;

/**
 * Runs a source's or a sink's process() on a thread of its own, which the agent's stop does not interrupt.
 *
 * On stop, Flume interrupts the threads of its sources and sinks. An interrupt that lands while a thread writes
 * the file channel's log closes that log file for every thread (an NIO channel closes on interrupt): the other
 * component's transaction fails too ("Take failed due to IO error ... ClosedChannelException"), and a sink's
 * batch that was half written to HDFS is delivered again after the restart (seen: 383 lines twice). Here the
 * caller's thread takes the interrupt and waits for the step to end on its own, then passes the interrupt on.
 * A step still running STOP_WAIT_S after the interrupt (a source retrying a full channel) is interrupted after all.
 */
final class UninterruptedWorker {
  static final long STOP_WAIT_S = 20;
  private final ExecutorService worker;

  UninterruptedWorker(String name) {
    worker = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    });
  }

  <T> T call(Callable<T> step) throws EventDeliveryException {
    Future<T> running = worker.submit(step);  // channel transactions are per thread: all of one on the worker
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return interrupted ? running.get(STOP_WAIT_S, TimeUnit.SECONDS) : running.get();
        } catch (InterruptedException e) {
          interrupted = true;  // a stop is coming: let this step finish first
        } catch (TimeoutException e) {
          running.cancel(true);
          throw new EventDeliveryException("still running " + STOP_WAIT_S + " s after the stop: interrupted");
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
        Thread.currentThread().interrupt();  // the runner sees it and stops
      }
    }
  }

  void shutdown() {
    worker.shutdown();
  }
}
