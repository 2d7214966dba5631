package org.medfl.common.audit;

/**
 * The outcome of checking an audit log.
 *
 * @param intact whether every check passed
 * @param records the number of complete lines in the log
 * @param summary one line for people, e.g. "intact: 12 records, chain head 3fa2c9d1…, signed by coordinator (...)"
 * @param badRecord the 1-based line number of the first bad record, 0 if intact
 * @param problem what is wrong with that record, e.g. "record 5: signature does not verify (content changed)";
 *     empty if intact
 */
public record Verification(boolean intact, long records, String summary, long badRecord, String problem) {

  static Verification intact(long records, String summary) {
    return new Verification(true, records, summary, 0, "");
  }

  static Verification broken(long records, long badRecord, String problem) {
    return new Verification(false, records, "NOT intact: " + problem, badRecord, problem);
  }
}
