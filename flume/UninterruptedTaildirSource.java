package org.activitylab.flume;

import org.apache.flume.EventDeliveryException;
import org.apache.flume.FlumeException;
import org.apache.flume.source.taildir.TaildirSource;

/**
 * Flume's TAILDIR source, except that stopping the agent never interrupts a batch on its way into the channel.
 *
 * On stop, Flume interrupts the source's thread. Landing in the file channel's write, that interrupt closes the
 * channel's log file under the sink as well, whose batch then fails half written to HDFS (UninterruptedWorker
 * says more). Here each poll runs on an UninterruptedWorker; `maxBatchCount` in agent.conf bounds how much one
 * poll reads from a file, so a stop waits for a few batches, not for a whole large file.
 *
 *   a1.sources.access.type = org.activitylab.flume.UninterruptedTaildirSource   (all TAILDIR settings unchanged)
 */
public class UninterruptedTaildirSource extends TaildirSource {
  private UninterruptedWorker worker;

  @Override
  public synchronized void start() {
    worker = new UninterruptedWorker("taildir-poll-" + getName());
    super.start();
  }

  @Override
  public Status process() {
    try {
      return worker.call(super::process);
    } catch (EventDeliveryException e) {  // TAILDIR's process() throws none of its own: the stop's last resort
      throw new FlumeException(e);
    }
  }

  @Override
  public synchronized void stop() {
    super.stop();
    worker.shutdown();
  }
}
