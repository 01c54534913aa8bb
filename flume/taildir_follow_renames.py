"""Patches Flume 1.11.0's TAILDIR reader (ReliableTaildirEventReader.java, from its sources jar) so that a
renamed file is read on from where it was, not again from its start.

Upstream opens a file anew at position 0 whenever a known inode shows up under another name: every rename of a
half-read log (which is what log rotation does) ships the part already shipped a second time. Here the same
inode under a new name goes on at its saved position when it is surely the same file:
- while the agent runs: TAILDIR still holds the file open (an open descriptor pins the inode, so no other file
  can have that number) or saw the inode in its previous scan, about a second ago; and the file is at least as
  long as the position;
- across an agent restart: the position file names the old path, which no longer holds that inode.
Anything else keeps upstream's behaviour. Used by compose/Dockerfile (stage jars-flume); the build fails if the
upstream text it edits is not found. Usage: python3 taildir_follow_renames.py ReliableTaildirEventReader.java
"""

import sys

EDITS = [
    # remember which inodes the previous scan saw
    (
        "  private Map<Long, TailFile> tailFiles = Maps.newHashMap();\n",
        "  private Map<Long, TailFile> tailFiles = Maps.newHashMap();\n"
        "  private java.util.Set<Long> seenLastScan = new java.util.HashSet<Long>();\n",
    ),
    # a rename while running: go on at the saved position
    (
        "        TailFile tf = tailFiles.get(inode);\n"
        "        if (tf == null || !tf.getPath().equals(f.getAbsolutePath())) {\n",
        "        TailFile tf = tailFiles.get(inode);\n"
        "        if (tf != null && !tf.getPath().equals(f.getAbsolutePath()) && isRename(tf, f)) {\n"
        '          logger.info("Renamed: " + tf.getPath() + " -> " + f + ", inode: " + inode\n'
        '              + ", going on at pos: " + tf.getPos());\n'
        "          long pos = tf.getPos();\n"
        "          if (tf.getRaf() != null) {\n"
        "            tf.close();\n"
        "          }\n"
        "          tf = openFile(f, headers, inode, pos);\n"
        "        } else if (tf == null || !tf.getPath().equals(f.getAbsolutePath())) {\n",
    ),
    (
        "    return updatedInodes;\n  }\n",
        "    seenLastScan = new java.util.HashSet<Long>(updatedInodes);\n"
        "    return updatedInodes;\n"
        "  }\n"
        "\n"
        "  private boolean isRename(TailFile tf, File f) {\n"
        "    return (tf.getRaf() != null || seenLastScan.contains(tf.getInode())) && f.length() >= tf.getPos();\n"
        "  }\n"
        "\n"
        "  private boolean renamedWhileStopped(TailFile tf, String oldPath, long pos) throws IOException {\n"
        "    long oldInode;\n"
        "    try {\n"
        "      oldInode = getInode(new File(oldPath));\n"
        "    } catch (NoSuchFileException e) {\n"
        "      oldInode = -1;\n"
        "    }\n"
        "    if (oldInode == tf.getInode() || new File(tf.getPath()).length() < pos) {\n"
        "      return false;\n"
        "    }\n"
        '    logger.info("Renamed while stopped: " + oldPath + " -> " + tf.getPath() + ", inode: "\n'
        '        + tf.getInode() + ", going on at pos: " + pos);\n'
        "    return tf.updatePos(tf.getPath(), tf.getInode(), pos);\n"
        "  }\n",
    ),
    # a rename while stopped: take the saved position for the inode's new name
    (
        "        if (tf != null && tf.updatePos(path, inode, pos)) {\n",
        "        if (tf != null && (tf.updatePos(path, inode, pos) || renamedWhileStopped(tf, path, pos))) {\n",
    ),
]


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for old, new in EDITS:
        if text.count(old) != 1:
            print(f"taildir_follow_renames: expected exactly one of:\n{old}", file=sys.stderr)
            return 1
        text = text.replace(old, new)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
