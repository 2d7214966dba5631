package org.medfl.common.audit;

import java.util.Objects;

/**
 * The end of an audit log's hash chain; committing it elsewhere (a checkpoint) makes later truncation detectable.
 *
 * @param records how many records the log holds, which is also the seq of the last one
 * @param sha256 hex SHA-256 of the last record's line (without its newline)
 */
public record ChainHead(long records, String sha256) {

  /** Rejects negative counts and null digests. */
  public ChainHead {
    if (records < 0) {
      throw new IllegalArgumentException("records must be >= 0, was " + records);
    }
    Objects.requireNonNull(sha256, "sha256");
  }
}
