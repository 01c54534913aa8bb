#!/bin/sh
# The HDFS web UIs (NameNode, DataNode) need webapps/ on the classpath, and no hadoop-hdfs main jar
# on Maven Central has it: only the tests jar does. Extract just webapps/ from it.
#   fetch-webapps.sh MAVEN_REPO OUTPUT_DIR      (OUTPUT_DIR goes on the daemons' classpath)
set -eu
repo=$1 out=$2
mvn -B -q -f "$(dirname "$0")/hadoop/pom.xml" -Dmaven.repo.local="$repo" dependency:copy \
  -Dartifact=org.apache.hadoop:hadoop-hdfs:3.5.0:jar:tests -DoutputDirectory=/tmp/hdfs-tests
mkdir -p "$out"
unzip -q -o /tmp/hdfs-tests/hadoop-hdfs-3.5.0-tests.jar 'webapps/*' -d "$out"
rm -rf /tmp/hdfs-tests
ls "$out/webapps"
