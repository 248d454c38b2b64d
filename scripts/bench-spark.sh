#!/usr/bin/env bash
# Runs `reasoning bench spark` with Spark's jars (Maven's provided dependencies of the examples module) beside
# reasoning.jar, and the JVM options Spark's own launcher adds on Java 17. Arguments go to `bench spark`.
# Build first: mvn -B -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=reasoning-sdk-examples/target/spark-classpath.txt
if [[ ! -s $cp_file ]]; then
  mvn -B -q -pl reasoning-sdk-examples dependency:build-classpath -Dmdep.includeScope=provided \
      -Dmdep.outputFile="$PWD/$cp_file" >&2
fi
opens=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
exec java -Xmx4g "${opens[@]}" -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
    -cp "reasoning-sdk-examples/target/reasoning.jar:$(cat "$cp_file")" \
    dev.reasoningsdk.examples.cli.ReasoningCli bench spark "$@"
