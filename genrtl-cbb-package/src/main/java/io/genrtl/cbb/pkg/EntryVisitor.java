package io.genrtl.cbb.pkg;

/** What an archive reader reports, entry by entry, in archive order. */
interface EntryVisitor {
  /** What the archive says an entry is; only files and directories are ever accepted. */
  enum Kind { FILE, DIR, SYMLINK, HARDLINK, SPECIAL }

  /**
   * The normalised path of an accepted entry (null for the archive root) and whether the reader is to hand its
   * data back through {@link #retained}.
   */
  record Accepted(String path, boolean keep) {
    static final Accepted ROOT = new Accepted(null, false);
  }

  /**
   * Called before the entry's data is read. {@code declaredSize} is what the header claims; a kept entry's data
   * is never buffered beyond it.
   *
   * @throws io.genrtl.core.base.GenRtlException to refuse the archive
   */
  Accepted entry(String rawName, Kind kind, long declaredSize);

  /** The complete data of an entry {@link #entry} asked to keep. */
  void retained(String path, byte[] data);
}
