package org.medfl.coordinator.job;

/** Lifecycle of a job; the last three are final. */
public enum JobState {
  SUBMITTED, RUNNING, FINISHED, ABORTED, FAILED;

  /** True once the job will never run another round. */
  public boolean isFinal() {
    return this == FINISHED || this == ABORTED || this == FAILED;
  }
}
