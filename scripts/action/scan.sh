#!/usr/bin/env bash
# The scan step of the GitHub Action (action.yml), kept in a file so that it can be tested
# locally with the INPUT_* variables exported as the runner would.
#
# Writes the SARIF file, prints a report in the chosen format to the log, emits pull request
# annotations (workflow commands) when the SARIF is not uploaded, and records the outputs
# sarif-file, findings and exit-code in $GITHUB_OUTPUT. It always exits 0: the action's last
# step fails the job, after the SARIF upload.
set -uo pipefail

path="${INPUT_PATH:-.}"
fail_on="${INPUT_FAIL_ON:-high}"
format="${INPUT_FORMAT:-text}"
sarif="${INPUT_SARIF_FILE:-harden.sarif}"
output="${GITHUB_OUTPUT:-/dev/null}"

args=(scan "$path" --fail-on "$fail_on")
if [ "${INPUT_HISTORY:-false}" = "true" ]; then
    args+=(--history)
fi
if [ -n "${INPUT_BASELINE:-}" ]; then
    args+=(--baseline "$INPUT_BASELINE")
fi
if [ -n "${INPUT_RULES:-}" ]; then
    args+=(--rules "$INPUT_RULES")
fi
extra=()
if [ -n "${INPUT_ARGS:-}" ]; then
    # Word-split on purpose: extra arguments as written in the workflow.
    read -r -a extra <<< "$INPUT_ARGS"
fi

# One scan: the report in the chosen format goes to the log, the SARIF file beside it.
if [ "$format" = "sarif" ]; then
    format=text
fi
harden "${args[@]}" "${extra[@]}" --format "$format" --sarif-output "$sarif" --quiet
code=$?
if [ "$code" -gt 1 ]; then
    echo "::error title=harden::harden failed (exit $code); run it locally with the same arguments"
    echo "exit-code=$code" >> "$output"
    exit 0
fi
findings=$(python3 -c 'import json,sys; print(sum(len(run.get("results", [])) for run in json.load(open(sys.argv[1]))["runs"]))' "$sarif" 2>/dev/null || echo "unknown")

# Annotations on the pull request when code scanning does not show the findings.
if [ "${INPUT_UPLOAD_SARIF:-true}" != "true" ]; then
    harden "${args[@]}" "${extra[@]}" --format github --quiet || true
fi
{
    echo "sarif-file=$sarif"
    echo "findings=$findings"
    echo "exit-code=$code"
} >> "$output"
exit 0
