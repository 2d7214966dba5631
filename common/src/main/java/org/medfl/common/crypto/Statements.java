package org.medfl.common.crypto;

import java.nio.charset.StandardCharsets;

/**
 * The exact bytes that coordinator and sites sign. Each statement names its kind and version first, so a signature
 * made for one purpose can never be replayed as another, and binds the job and round, so it cannot be replayed in a
 * later round either.
 */
public final class Statements {
  private Statements() {}

  /** What the coordinator signs for each global model it hands out. */
  public static byte[] globalModel(String jobId, int round, String modelSha256) {
    return join("medfl-global-model-v1", jobId, Integer.toString(round), modelSha256);
  }

  /** What a site signs for each update it sends. */
  public static byte[] update(String jobId, int round, String site, long numExamples, String baseSha256,
      String updateSha256) {
    return join("medfl-update-v1", jobId, Integer.toString(round), site, Long.toString(numExamples), baseSha256,
        updateSha256);
  }

  private static byte[] join(String... fields) {
    // Fields never contain a newline (ids, names, hex digests, numbers), so newline-separated is unambiguous.
    return String.join("\n", fields).getBytes(StandardCharsets.UTF_8);
  }
}
