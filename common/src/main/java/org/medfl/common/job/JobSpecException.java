package org.medfl.common.job;

/** A JOB.yaml that cannot be accepted; the message is one sentence that names the offending key. */
public final class JobSpecException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** @param message a full sentence such as "JOB.yaml: 'rounds' must be between 1 and 10000, got 0" */
  public JobSpecException(String message) {
    super(message);
  }

  static JobSpecException key(String key, String problem) {
    return new JobSpecException("JOB.yaml: '" + key + "' " + problem);
  }
}
