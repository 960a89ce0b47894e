"""Writes each fenced code block of a Markdown file to DIR/exampleN.nn
(DIR/exampleN.run.nn when it defines a network)."""
import re
import sys


def main():
    source, out = sys.argv[1], sys.argv[2]
    text = open(source).read()
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M)
    runnable = 0
    for i, block in enumerate(blocks):
        has_network = re.search(r"^network ", block, flags=re.M) is not None
        runnable += has_network
        suffix = ".run.nn" if has_network else ".nn"
        with open(f"{out}/example{i}{suffix}", "w") as f:
            f.write(block)
    print(f"extracted {len(blocks)} examples, {runnable} with a network")


if __name__ == "__main__":
    main()
