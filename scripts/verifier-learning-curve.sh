#!/usr/bin/env bash
# The learned verifier's learning curve, read on the shipped GSM8K file's training questions only (docs/design.md,
# "The learned verifier"): the shipped weights' held-out rows are dropped first, a fixed-seed shuffle of the 800
# training questions is cut at 200, 400, 600 and 800, and `verifier train` cross-validates on 80% of each cut. Prints
# one line per cut: its questions, the chosen candidate, its cross-validated best-of-N accuracy and fold spread, and
# the best single model's accuracy on the same folds.
# Build first: mvn -B -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
jar=reasoning-sdk-examples/target/reasoning.jar
data=reasoning-sdk-examples/data/data/gsm8k/model-solutions-dev.jsonl
weights=reasoning-sdk-impl/reasoning-sdk-core/src/main/resources/dev/reasoningsdk/impl/aggregate/learned-verifier.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$data" "$weights" "$work" <<'PY'
import json, random, sys
data, weights, work = sys.argv[1:]
held_out = set(json.load(open(weights))["training"]["heldOutRows"])
training = [line for row, line in enumerate(open(data)) if row not in held_out]
order = list(range(len(training)))
random.Random(7).shuffle(order)
for cut in (200, 400, 600, 800):
    with open(f"{work}/cut-{cut}.jsonl", "w") as out:
        out.writelines(training[row] for row in sorted(order[:cut]))
PY
for cut in 200 400 600 800; do
  java -jar "$jar" verifier train --data "$work/cut-$cut.jsonl" \
      --feature-sets chain+agreement+text,chain+agreement,chain --json 2>/dev/null > "$work/cut-$cut.json"
  python3 - "$cut" "$work/cut-$cut.json" <<'PY'
import json, sys
cut, path = sys.argv[1:]
report = json.load(open(path))
chosen = next(c for c in report["cross_validation"]
              if c["features"] == report["features"] and c["l2"] == report["l2"])
print(json.dumps({"questions": int(cut), "cross_validated_on": report["train_questions"],
                  "features": report["features"], "l2": report["l2"], "accuracy": chosen["accuracy"],
                  "accuracy_sd_over_folds": chosen["accuracy_sd_over_folds"],
                  "best_single_model": chosen["best_single_model"],
                  "gain_points": round(100 * (chosen["accuracy"] - chosen["best_single_model"]), 2)}))
PY
done
