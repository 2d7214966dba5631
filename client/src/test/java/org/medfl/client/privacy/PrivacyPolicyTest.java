package org.medfl.client.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivacyPolicyTest {
  @TempDir Path kit;

  private void write(String yaml) throws IOException {
    Files.createDirectories(kit.resolve("local"));
    Files.writeString(kit.resolve(PrivacyPolicy.FILE), yaml);
  }

  @Test
  void absentFileGivesThePermissiveDefault() {
    // given: a kit without local/privacy.yaml

    // when
    PrivacyPolicy policy = PrivacyPolicy.load(kit);

    // then
    assertTrue(policy.isDefault());
    assertFalse(policy.requireSecureAggregation());
    assertFalse(policy.requireDp());
    assertEquals(0.0, policy.minNoiseMultiplier());
    assertEquals(Double.POSITIVE_INFINITY, policy.maxClip());
    assertNull(policy.budget());
  }

  @Test
  void everyKeyIsRead() throws IOException {
    // given
    write("""
        require_secure_aggregation: true
        require_dp: true
        min_noise_multiplier: 1.0
        max_clip: 1.5
        budget: {epsilon: 10.0, delta: 1e-6}
        """);

    // when
    PrivacyPolicy policy = PrivacyPolicy.load(kit);

    // then
    assertEquals(new PrivacyPolicy(true, true, 1.0, 1.5, new PrivacyPolicy.Budget(10.0, 1e-6)), policy);
    assertFalse(policy.isDefault());
  }

  @Test
  void absentKeysTakeTheirDefaults() throws IOException {
    // given
    write("budget: {epsilon: 4}\n");

    // when
    PrivacyPolicy policy = PrivacyPolicy.load(kit);

    // then
    assertEquals(new PrivacyPolicy(false, false, 0, Double.POSITIVE_INFINITY,
        new PrivacyPolicy.Budget(4, PrivacyPolicy.DEFAULT_DELTA)), policy);
  }

  @Test
  void fileOfOnlyCommentsIsTheDefault() throws IOException {
    // given
    write("# nothing required yet\n");

    // when
    PrivacyPolicy policy = PrivacyPolicy.load(kit);

    // then
    assertTrue(policy.isDefault());
  }

  @Test
  void unknownKeyIsRejectedNamingFileAndKey() throws IOException {
    // given: a misspelt key must not silently relax the policy
    write("require_dp: true\nmax_clipp: 1.0\n");

    // when
    var e = assertThrows(PrivacyPolicyException.class, () -> PrivacyPolicy.load(kit));

    // then
    assertEquals(kit.resolve(PrivacyPolicy.FILE) + ": unknown key 'max_clipp' (known: require_secure_aggregation,"
        + " require_dp, min_noise_multiplier, max_clip, budget)", e.getMessage());
  }

  @Test
  void unknownKeyInsideBudgetIsNamedWithItsPath() throws IOException {
    // given
    write("budget: {epsilon: 3, epsilom: 2}\n");

    // when
    var e = assertThrows(PrivacyPolicyException.class, () -> PrivacyPolicy.load(kit));

    // then
    assertTrue(e.getMessage().contains("unknown key 'budget.epsilom'"), e.getMessage());
  }

  @Test
  void valueOfTheWrongTypeIsNamed() throws IOException {
    // given
    write("require_dp: perhaps\n");

    // when
    var e = assertThrows(PrivacyPolicyException.class, () -> PrivacyPolicy.load(kit));

    // then
    assertEquals(kit.resolve(PrivacyPolicy.FILE) + ": 'require_dp' must be true or false, got 'perhaps'",
        e.getMessage());
  }

  @Test
  void outOfRangeValueIsNamed() throws IOException {
    // given
    write("min_noise_multiplier: -1\n");

    // when
    var e = assertThrows(PrivacyPolicyException.class, () -> PrivacyPolicy.load(kit));

    // then
    assertEquals(kit.resolve(PrivacyPolicy.FILE) + ": 'min_noise_multiplier' must be 0 or a positive number,"
        + " got -1.0", e.getMessage());
  }

  @Test
  void budgetWithoutEpsilonIsRejected() throws IOException {
    // given
    write("budget: {delta: 1e-5}\n");

    // when
    var e = assertThrows(PrivacyPolicyException.class, () -> PrivacyPolicy.load(kit));

    // then
    assertTrue(e.getMessage().contains("'budget.epsilon' is missing"), e.getMessage());
  }
}
