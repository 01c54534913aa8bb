// Points in and out of Mahout's k-means, which reads and writes SequenceFiles only (mahout-mr 0.13.0 has no
// converter: that one is in mahout-integration, which needs Lucene 4 and is not on the lab's classpath).
//   mahout vectors to-seq POINTS.csv SEQ          "name,x1,x2,..." lines -> SequenceFile<Text, VectorWritable>
//   mahout vectors to-seq POINTS.csv SEQ SEEDS NAME,NAME,...
//                                                 also k-means' initial clusters: the named points, in that order
//                                                 (kmeans --clusters SEEDS without -k; -k draws random ones)
//   mahout vectors points OUT/clusteredPoints     "name<TAB>cluster id" for every clustered point
//   mahout vectors clusters OUT/clusters-N-final  "cluster id<TAB>points<TAB>center" for every final cluster
// Run as a single-file source program (java -cp CLASSPATH VectorsTool.java) by compose/bin/mahout.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IntWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.apache.mahout.clustering.Cluster;
import org.apache.mahout.clustering.classify.WeightedPropertyVectorWritable;
import org.apache.mahout.clustering.iterator.ClusterWritable;
import org.apache.mahout.clustering.kmeans.Kluster;
import org.apache.mahout.common.distance.EuclideanDistanceMeasure;
import org.apache.mahout.math.DenseVector;
import org.apache.mahout.math.NamedVector;
import org.apache.mahout.math.Vector;
import org.apache.mahout.math.VectorWritable;

public class VectorsTool {
  public static void main(String[] args) throws Exception {
    Configuration conf = new Configuration();
    if ((args.length == 3 || args.length == 5) && args[0].equals("to-seq")) {
      Map<String, Vector> points = toSeq(conf, new Path(args[1]), new Path(args[2]));
      if (args.length == 5) {
        seeds(conf, points, Arrays.asList(args[4].split(",")), new Path(args[3]));
      }
    } else if (args.length == 2 && args[0].equals("points")) {
      points(conf, new Path(args[1]));
    } else if (args.length == 2 && args[0].equals("clusters")) {
      clusters(conf, new Path(args[1]));
    } else {
      System.err.println("usage: mahout vectors to-seq POINTS.csv SEQ [SEEDS NAME,...] | points CLUSTERED_POINTS | clusters CLUSTERS_FINAL");
      System.exit(64);
    }
  }

  static Map<String, Vector> toSeq(Configuration conf, Path in, Path out) throws Exception {
    FileSystem fs = in.getFileSystem(conf);
    Map<String, Vector> points = new LinkedHashMap<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(in), StandardCharsets.UTF_8));
         SequenceFile.Writer writer = SequenceFile.createWriter(conf, SequenceFile.Writer.file(out),
             SequenceFile.Writer.keyClass(Text.class), SequenceFile.Writer.valueClass(VectorWritable.class))) {
      String line;
      int lineNo = 0;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        line = line.trim();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split(",");
        if (fields.length < 2) {
          throw new IllegalArgumentException(in + ":" + lineNo + ": expected name,x1,x2,... got: " + line);
        }
        double[] values = new double[fields.length - 1];
        for (int i = 1; i < fields.length; i++) {
          values[i - 1] = Double.parseDouble(fields[i].trim());
        }
        String name = fields[0].trim();
        // A NamedVector keeps the point's name through clustering (clusteredPoints carries the vector).
        Vector point = new NamedVector(new DenseVector(values), name);
        writer.append(new Text(name), new VectorWritable(point));
        points.put(name, point);
      }
    }
    System.out.println("wrote " + points.size() + " vectors to " + out);
    return points;
  }

  // Initial clusters as Mahout's RandomSeedGenerator writes them (one Kluster per point, ids from 0), but chosen
  // by the caller: the same seeds give the same clusters, so running a day again gives the same segments.
  static void seeds(Configuration conf, Map<String, Vector> points, List<String> names, Path out) throws Exception {
    try (SequenceFile.Writer writer = SequenceFile.createWriter(conf, SequenceFile.Writer.file(out),
             SequenceFile.Writer.keyClass(Text.class), SequenceFile.Writer.valueClass(ClusterWritable.class))) {
      int id = 0;
      for (String name : names) {
        Vector point = points.get(name);
        if (point == null) {
          throw new IllegalArgumentException("seed " + name + " is not a point of the input");
        }
        Kluster cluster = new Kluster(point, id++, new EuclideanDistanceMeasure());
        cluster.observe(point, 1);
        writer.append(new Text(name), new ClusterWritable(cluster));
      }
    }
    System.out.println("wrote " + names.size() + " initial clusters to " + out);
  }

  static FileStatus[] parts(Configuration conf, Path dir) throws Exception {
    return dir.getFileSystem(conf).listStatus(dir, p -> p.getName().startsWith("part-"));
  }

  static void points(Configuration conf, Path dir) throws Exception {
    for (FileStatus part : parts(conf, dir)) {
      try (SequenceFile.Reader reader = new SequenceFile.Reader(conf, SequenceFile.Reader.file(part.getPath()))) {
        IntWritable cluster = new IntWritable();
        WeightedPropertyVectorWritable point = new WeightedPropertyVectorWritable();
        while (reader.next(cluster, point)) {
          Vector v = point.getVector();
          String name = v instanceof NamedVector ? ((NamedVector) v).getName() : v.asFormatString();
          System.out.println(name + "\t" + cluster.get());
        }
      }
    }
  }

  static void clusters(Configuration conf, Path dir) throws Exception {
    for (FileStatus part : parts(conf, dir)) {
      try (SequenceFile.Reader reader = new SequenceFile.Reader(conf, SequenceFile.Reader.file(part.getPath()))) {
        Writable key = (Writable) reader.getKeyClass().getDeclaredConstructor().newInstance();
        ClusterWritable value = new ClusterWritable();
        while (reader.next(key, value)) {
          Cluster c = value.getValue();
          System.out.println(c.getId() + "\t" + c.getNumObservations() + "\t" + c.getCenter().asFormatString());
        }
      }
    }
  }
}
