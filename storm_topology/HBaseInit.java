// Creates the lab's HBase namespace and tables, idempotently, through the HBase Admin API.
// HappyBase (Thrift 1) cannot create namespaces, and there is no `hbase shell` for 2.5+ on the
// artifact repository, hence this single-file program, compiled when the image is built (compiling it at each
// start took seconds of the lab's start; compose/Dockerfile):
//
//   java -cp '/opt/lab/hbase-init:/opt/hbase/lib/*:/etc/lab/hbase' HBaseInit [ns:table ...]
//
// The tables are created side by side (one create procedure each on the master, ~2 s apiece one after the other).
//
// Add --add-opens java.base/java.nio=ALL-UNNAMED to silence HBase's harmless warning (with a
// stack trace) that it cannot use Unsafe on JDK 17. HBase client logging follows the log4j2
// configuration found on the classpath; results go to stdout, the failure message to stderr.
//
// hbase-site.xml (hbase.zookeeper.quorum, ...) is read from the classpath. Any -Dhbase.* or
// -Dzookeeper.* system property overrides it, e.g. -Dhbase.client.retries.number=3.
// Prints one line per namespace and table: "created" or "exists". Exit status: 0 ok,
// 1 HBase error, 2 bad arguments.

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.NamespaceDescriptor;
import org.apache.hadoop.hbase.NamespaceExistException;
import org.apache.hadoop.hbase.NamespaceNotFoundException;
import org.apache.hadoop.hbase.TableExistsException;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.util.Bytes;

public class HBaseInit {

    static final String NAMESPACE = "activity";
    static final String[] TABLES = {
        "page_counts", "minute_stats", "active_users", "user_recent_pages", "sessions", "alerts",
    };
    static final byte[] FAMILY = Bytes.toBytes("c");
    // The speed layer's extra families (activity_contract/names.py): `d` holds one marker per applied event id,
    // kept SPEED_DEDUPE_TTL_S seconds (how long a replay is recognized); `u` holds users' last event times.
    static final byte[] DEDUPE = Bytes.toBytes("d");
    static final byte[] LAST_SEEN = Bytes.toBytes("u");
    static final Set<String> WITH_DEDUPE = Set.of("page_counts", "minute_stats", "user_recent_pages", "sessions");

    public static void main(String[] args) {
        List<TableName> tables = new ArrayList<>();
        for (String t : TABLES) {
            tables.add(TableName.valueOf(NAMESPACE, t));
        }
        for (String arg : args) {
            int colon = arg.indexOf(':');
            if (colon <= 0 || colon == arg.length() - 1) {
                System.err.println("HBaseInit: expected ns:table, got '" + arg + "'");
                System.err.println("usage: java -cp '<hbase lib>/*:<conf dir>' HBaseInit.java [ns:table ...]");
                System.exit(2);
            }
            try {
                tables.add(TableName.valueOf(arg));
            } catch (IllegalArgumentException e) {
                System.err.println("HBaseInit: invalid table name '" + arg + "': " + e.getMessage());
                System.exit(2);
            }
        }
        // "default" and "hbase" always exist; every other namespace named is created first.
        Set<String> namespaces = new LinkedHashSet<>();
        namespaces.add(NAMESPACE);
        for (TableName tn : tables) {
            namespaces.add(tn.getNamespaceAsString());
        }
        namespaces.remove(NamespaceDescriptor.DEFAULT_NAMESPACE_NAME_STR);
        namespaces.remove(NamespaceDescriptor.SYSTEM_NAMESPACE_NAME_STR);

        Configuration conf = HBaseConfiguration.create();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("hbase.") || key.startsWith("zookeeper.")) {
                conf.set(key, System.getProperty(key));
            }
        }

        String step = "connecting to HBase (hbase.zookeeper.quorum=" + conf.get("hbase.zookeeper.quorum") + ")";
        try (Connection connection = ConnectionFactory.createConnection(conf);
             Admin admin = connection.getAdmin()) {
            for (String ns : namespaces) {
                step = "creating namespace " + ns;
                System.out.println("namespace " + ns + ": " + (ensureNamespace(admin, ns) ? "created" : "exists"));
            }
            Map<TableName, Future<Void>> creating = new LinkedHashMap<>();
            for (TableName tn : tables) {
                step = "creating table " + tn;
                Future<Void> created = ensureTable(admin, tn);
                if (created == null) {
                    System.out.println("table " + tn + ": exists");
                } else {
                    creating.put(tn, created);
                }
            }
            for (Map.Entry<TableName, Future<Void>> entry : creating.entrySet()) {
                step = "creating table " + entry.getKey();
                System.out.println("table " + entry.getKey() + ": " + (finished(entry.getValue()) ? "created" : "exists"));
            }
        } catch (Exception e) {
            System.err.println("HBaseInit: failed while " + step + ": " + e);
            System.exit(1);
        }
    }

    /** Returns true if the namespace was created, false if it already existed. */
    static boolean ensureNamespace(Admin admin, String ns) throws java.io.IOException {
        try {
            admin.getNamespaceDescriptor(ns);
            return false;
        } catch (NamespaceNotFoundException e) {
            // fall through and create it
        }
        try {
            admin.createNamespace(NamespaceDescriptor.create(ns).build());
            return true;
        } catch (NamespaceExistException e) {
            return false; // created concurrently
        }
    }

    static List<ColumnFamilyDescriptor> families(TableName tn) {
        List<ColumnFamilyDescriptor> out = new ArrayList<>();
        out.add(ColumnFamilyDescriptorBuilder.newBuilder(FAMILY).setMaxVersions(1).build());
        if (!tn.getNamespaceAsString().equals(NAMESPACE)) {
            return out;
        }
        String q = tn.getQualifierAsString();
        if (WITH_DEDUPE.contains(q)) {
            int ttl = Integer.parseInt(System.getenv().getOrDefault("SPEED_DEDUPE_TTL_S", "7200"));
            out.add(ColumnFamilyDescriptorBuilder.newBuilder(DEDUPE).setMaxVersions(1).setTimeToLive(ttl).build());
        }
        if (q.equals("active_users")) {
            out.add(ColumnFamilyDescriptorBuilder.newBuilder(LAST_SEEN).setMaxVersions(1).setTimeToLive(3600).build());
        }
        return out;
    }

    /** The table's creation, started; null if it already existed (missing families are then added). */
    static Future<Void> ensureTable(Admin admin, TableName tn) throws java.io.IOException {
        if (admin.tableExists(tn)) {
            TableDescriptor current = admin.getDescriptor(tn);
            for (ColumnFamilyDescriptor cf : families(tn)) {
                if (!current.hasColumnFamily(cf.getName())) {
                    admin.addColumnFamily(tn, cf);
                    System.out.println("table " + tn + ": added family " + cf.getNameAsString());
                }
            }
            return null;
        }
        try {
            return admin.createTableAsync(TableDescriptorBuilder.newBuilder(tn).setColumnFamilies(families(tn)).build());
        } catch (TableExistsException e) {
            return null; // created concurrently
        }
    }

    /** Waits for a creation started by ensureTable: true once created, false if another client created it first. */
    static boolean finished(Future<Void> creation) throws Exception {
        try {
            creation.get(5, TimeUnit.MINUTES);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TableExistsException) {
                return false; // created concurrently
            }
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
