#!/bin/sh
# The Hive metastore's schematool reads its SQL from $METASTORE_HOME/scripts/metastore/upgrade/<db>/,
# and no jar on Maven Central holds those scripts: only the metastore's bin tarball does. Extract
# just the PostgreSQL ones from it.
#   fetch-hive-schema.sh MAVEN_REPO METASTORE_HOME      (the metastore then runs with METASTORE_HOME set)
set -eu
repo=$1 out=$2 version=4.0.1
mvn -B -q -f "$(dirname "$0")/hive/pom.xml" -Dmaven.repo.local="$repo" dependency:copy \
  -Dartifact=org.apache.hive:hive-standalone-metastore-server:$version:tar.gz:bin -DoutputDirectory=/tmp/hms-bin
mkdir -p "$out"
tar -xzf /tmp/hms-bin/hive-standalone-metastore-server-$version-bin.tar.gz -C "$out" --strip-components=1 \
  apache-hive-metastore-$version-bin/scripts/metastore/upgrade/postgres
rm -rf /tmp/hms-bin
ls "$out/scripts/metastore/upgrade/postgres"
