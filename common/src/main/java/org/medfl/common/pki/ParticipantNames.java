package org.medfl.common.pki;

import java.util.regex.Pattern;

/** The syntax of participant and consortium names: they become certificate CNs, directory names and log fields. */
public final class ParticipantNames {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private ParticipantNames() {}

  /** Whether {@code name} is 1-63 lowercase letters, digits and '-', not starting with '-'. */
  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Returns {@code name} if it is valid.
   *
   * @throws IllegalArgumentException naming the bad name
   */
  public static String requireValid(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a valid name; use 1-63 lowercase letters, digits and '-', starting with a letter or digit");
    }
    return name;
  }
}
