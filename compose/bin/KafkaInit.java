// Creates the lab's Kafka topics that do not exist yet, then lists every topic: kafka-init's program, in one JVM.
// kafka-topics is a JVM start per topic (~1.2 s of CPU each, on a start that keeps both cores busy); compiled when
// the image is built, like HBaseInit (compose/Dockerfile).
//
//   java -cp '/opt/lab/kafka-init:/opt/kafka/lib/*' KafkaInit BOOTSTRAP NAME:PARTITIONS...
//
// Prints one line per topic asked for ("created" or "exists", with its partitions), then "topics: ...".
// Exit status: 0 ok, 1 Kafka error, 2 bad arguments.

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

public class KafkaInit {
  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2) {
      System.err.println("usage: KafkaInit BOOTSTRAP NAME:PARTITIONS...");
      System.exit(2);
    }
    List<NewTopic> wanted = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] spec = args[i].split(":");
      if (spec.length != 2 || !spec[1].matches("[1-9][0-9]*")) {
        System.err.println("KafkaInit: not NAME:PARTITIONS: " + args[i]);
        System.exit(2);
      }
      wanted.add(new NewTopic(spec[0], Integer.parseInt(spec[1]), (short) 1));
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (NewTopic topic : wanted) {
        if (!existing.contains(topic.name())) {
          missing.add(topic);
        }
      }
      Map<String, org.apache.kafka.common.KafkaFuture<Void>> created = admin.createTopics(missing).values();
      for (NewTopic topic : wanted) {
        String state = "exists";
        if (created.containsKey(topic.name())) {
          try {
            created.get(topic.name()).get();
            state = "created";
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {   // another kafka-init was quicker: fine
              throw e;
            }
          }
        }
        System.out.println("topic " + topic.name() + ": " + state + " (" + topic.numPartitions() + " partitions asked)");
      }
      System.out.println("topics: " + String.join(" ", new TreeSet<>(admin.listTopics().names().get())));
    } catch (ExecutionException e) {
      System.err.println("KafkaInit: " + e.getCause());
      System.exit(1);
    }
  }
}
