package org.activitylab.flume;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.flume.node.Application;

/**
 * Run before the agent starts: finishes the HDFS files a previous agent left open (killed, out of
 * memory, stopped too late). The HDFS sink writes into hidden `_name.tmp` files and renames them when
 * it closes them; one that was never closed stays unreadable ("Cannot obtain block length") and hidden
 * from Hive, Pig and MapReduce. With no agent running every such file is an orphan: recover its lease
 * (the NameNode closes it at the length the DataNodes hold) and give it its final name.
 *
 *   java -cp /etc/lab/hadoop:/opt/flume/lib/* org.activitylab.flume.RecoverOpenLogs /logs [--then AGENT ARGS...]
 *
 * With --then, the agent (org.apache.flume.node.Application and its arguments) starts afterwards in the same JVM:
 * a JVM start less (~1.5 s of CPU) at every start of the container.
 */
public class RecoverOpenLogs {
  public static void main(String[] args) throws Exception {
    int then = Arrays.asList(args).indexOf("--then");
    String[] own = then < 0 ? args : Arrays.copyOfRange(args, 0, then);
    recover(new Path(own.length > 0 ? own[0] : "/logs"));
    if (then >= 0) {
      Application.main(Arrays.copyOfRange(args, then + 1, args.length));
    }
  }

  private static void recover(Path root) throws Exception {
    // A FileSystem of its own, closed here: the cached one would be the HDFS sink's too, and with Hadoop's
    // closing at JVM exit (which the sink turns off), the agent's stop raced it and hung until Docker killed it.
    try (FileSystem fs = FileSystem.newInstance(root.toUri(), new Configuration())) {
      recover(fs, root);
    }
  }

  private static void recover(FileSystem fs, Path root) throws Exception {
    if (!fs.exists(root)) {
      System.out.println("recover-open-logs: " + root + " does not exist yet");
      return;
    }
    List<Path> open = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      Path p = files.next().getPath();
      if (p.getName().startsWith("_") && p.getName().endsWith(".tmp")) {
        open.add(p);
      }
    }
    int recovered = 0;
    for (Path p : open) {
      if (fs instanceof DistributedFileSystem && !closeByLeaseRecovery((DistributedFileSystem) fs, p)) {
        System.out.println("recover-open-logs: " + p + " still open after 60 s; left for the next start");
        continue;
      }
      String name = p.getName();
      Path target = new Path(p.getParent(), name.substring(1, name.length() - ".tmp".length()));
      if (fs.rename(p, target)) {
        recovered++;
        System.out.println("recover-open-logs: " + p + " -> " + target + " (" + fs.getFileStatus(target).getLen() + " bytes)");
      }
    }
    System.out.println("recover-open-logs: " + recovered + " of " + open.size() + " files left open under " + root + " recovered");
  }

  private static boolean closeByLeaseRecovery(DistributedFileSystem dfs, Path p) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    boolean closed = dfs.recoverLease(p);
    while (!closed && System.currentTimeMillis() < deadline) {
      Thread.sleep(1000);  // the NameNode finishes block recovery asynchronously
      closed = dfs.isFileClosed(p);
    }
    return closed;
  }
}
