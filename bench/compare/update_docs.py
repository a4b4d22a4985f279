#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Replaces the text between the RESULTS markers of docs/benchmarks.md with a results.md.

Usage: update_docs.py RESULTS_MD DOC_MD
"""
import sys

BEGIN = "<!-- BEGIN RESULTS: written by bench/compare/run.sh --update-docs -->"
END = "<!-- END RESULTS -->"


def main():
    results_path, doc_path = sys.argv[1:3]
    with open(results_path, encoding="utf-8") as f:
        results = f.read().strip()
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    i, j = doc.find(BEGIN), doc.find(END)
    if i < 0 or j < i:
        sys.exit("%s: markers not found:\n  %s\n  %s" % (doc_path, BEGIN, END))
    doc = doc[:i + len(BEGIN)] + "\n\n" + results + "\n\n" + doc[j:]
    with open(doc_path, "w", encoding="utf-8") as f:
        f.write(doc)


if __name__ == "__main__":
    main()
