package org.medfl.client.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.job.JobSpec;
import org.medfl.common.privacy.RdpAccountant;

class PolicyCheckTest {
  private static final double UNLIMITED = Double.POSITIVE_INFINITY;
  @TempDir Path state;

  private static JobSpec job(String extra) {
    return JobSpec.parse("name: j1\nmodel: {name: cnn-fedavg}\nclasses: [a, b]\nmin_sites: 4\n" + extra);
  }

  private static final String DP = "dp: {mode: central, clip: 1.0, noise_multiplier: 1.1, delta: 0.00001,"
      + " max_epsilon: 50}\n";
  private static final String SECAGG = "secure_aggregation: {threshold: 3}\n";

  private Optional<String> check(PrivacyPolicy policy, JobSpec spec, int round) {
    return PolicyCheck.refusal(policy, spec, PrivacyBudget.open(state), "j1", round);
  }

  @Test
  void permissivePolicyAcceptsAJobWithoutPrivacy() {
    // given
    JobSpec plain = job("");

    // when
    var refusal = check(PrivacyPolicy.permissive(), plain, 1);

    // then
    assertEquals(Optional.empty(), refusal);
  }

  @Test
  void jobWithinEveryRuleIsAccepted() {
    // given
    var policy = new PrivacyPolicy(true, true, 1.0, 1.0, new PrivacyPolicy.Budget(10, 1e-5));

    // when: distributed noise (central DP cannot go with secure aggregation); z 1.3 over threshold 3 of min_sites
    // 4 leaves 1.3 * sqrt(3/4) = 1.13 on what the coordinator can unmask, above the policy's 1.0
    var refusal = check(policy, job(SECAGG + DP.replace("central", "distributed").replace("1.1", "1.3")), 2);

    // then
    assertEquals(Optional.empty(), refusal);
  }

  @Test
  void refusesJobWithoutSecureAggregationWhenRequired() {
    // given
    var policy = new PrivacyPolicy(true, false, 0, UNLIMITED, null);

    // when
    var refusal = check(policy, job(DP), 1);

    // then
    assertEquals(Optional.of("site policy requires secure aggregation; job j1 has none"), refusal);
  }

  @Test
  void refusesJobWithoutDpWhenRequired() {
    // given
    var policy = new PrivacyPolicy(false, true, 0, UNLIMITED, null);

    // when
    var refusal = check(policy, job(SECAGG), 1);

    // then
    assertEquals(Optional.of("site policy requires differential privacy; job j1 has none"), refusal);
  }

  @Test
  void refusesTooLittleNoise() {
    // given
    var policy = new PrivacyPolicy(false, false, 1.0, UNLIMITED, null);
    JobSpec weak = job("dp: {mode: central, clip: 1.0, noise_multiplier: 0.5, max_epsilon: 50}\n");

    // when
    var refusal = check(policy, weak, 1);

    // then
    assertEquals(Optional.of("site policy requires DP with noise_multiplier >= 1.0; job j1 asks 0.5"), refusal);
  }

  @Test
  void distributedNoiseWithoutSecureAggregationCountsOnlyThisSitesShare() {
    // given: each of 4 sites adds 2.0 / sqrt(4) = 1.0, and the coordinator sees each update on its own
    var policy = new PrivacyPolicy(false, false, 1.5, UNLIMITED, null);
    JobSpec distributed = job("dp: {mode: distributed, clip: 1.0, noise_multiplier: 2.0, max_epsilon: 50}\n");

    // when
    var refusal = check(policy, distributed, 1);

    // then
    assertEquals(Optional.of("site policy requires DP with noise_multiplier >= 1.5; job j1 asks 2.0, which is 1.0"
        + " on what the coordinator sees (distributed noise over min_sites 4, no secure aggregation)"), refusal);
  }

  @Test
  void distributedNoiseUnderSecureAggregationCountsTheSmallestUnmaskableSum() {
    // given: a sum of 3 of the 4 shares carries 2.0 * sqrt(3/4) = 1.73
    var policy = new PrivacyPolicy(false, false, 1.5, UNLIMITED, null);
    JobSpec distributed = job(SECAGG
        + "dp: {mode: distributed, clip: 1.0, noise_multiplier: 2.0, max_epsilon: 50}\n");

    // when
    var refusal = check(policy, distributed, 1);

    // then
    assertEquals(Optional.empty(), refusal);
  }

  @Test
  void refusesClipAboveTheCap() {
    // given
    var policy = new PrivacyPolicy(false, false, 0, 1.0, null);
    JobSpec wide = job("dp: {mode: central, clip: 5.0, noise_multiplier: 1.1, max_epsilon: 50}\n");

    // when
    var refusal = check(policy, wide, 1);

    // then
    assertEquals(Optional.of("site policy caps clip at 1.0; job j1 asks 5.0"), refusal);
  }

  @Test
  void refusesJobWithoutDpUnderABudget() {
    // given
    var policy = new PrivacyPolicy(false, false, 0, UNLIMITED, new PrivacyPolicy.Budget(10, 1e-5));

    // when
    var refusal = check(policy, job(""), 1);

    // then
    assertEquals(Optional.of("site policy sets a privacy budget (epsilon 10.0); job j1 has no DP, so its epsilon is"
        + " unbounded"), refusal);
  }

  @Test
  void refusesRoundThatWouldExceedTheSitesBudget() {
    // given: another job already spent 9.0 of 10.0
    var policy = new PrivacyPolicy(false, false, 0, UNLIMITED, new PrivacyPolicy.Budget(10, 1e-4));
    var budget = PrivacyBudget.open(state);
    budget.record("other", 9.0, 1e-5);
    double thisJob = RdpAccountant.epsilonAfter(1.0, 1.1, 3, 1e-5);

    // when
    var refusal = PolicyCheck.refusal(policy, job(DP), budget, "j1", 3);

    // then
    assertEquals(Optional.of(String.format(java.util.Locale.ROOT, "this round would raise job j1's epsilon to %.2f,"
        + " leaving the site's budget (10.0) exceeded: %.2f spent", thisJob, 9.0 + thisJob)), refusal);
  }

  @Test
  void acceptsRoundThatFitsBesideOtherJobs() {
    // given: the same job after 3 rounds costs about 8.0 (q = 1, z = 1.1) beside 1.0 spent elsewhere
    var policy = new PrivacyPolicy(false, false, 0, UNLIMITED, new PrivacyPolicy.Budget(10, 1e-4));
    var budget = PrivacyBudget.open(state);
    budget.record("other", 1.0, 1e-5);

    // when
    var refusal = PolicyCheck.refusal(policy, job(DP), budget, "j1", 3);

    // then
    assertEquals(Optional.empty(), refusal);
  }

  @Test
  void thisJobsOwnEarlierSpendingIsNotCountedTwice() {
    // given: j1 recorded its round-2 epsilon; round 3 replaces it rather than adding to it
    var policy = new PrivacyPolicy(false, false, 0, UNLIMITED, new PrivacyPolicy.Budget(10, 1e-5));
    var budget = PrivacyBudget.open(state);
    budget.record("j1", RdpAccountant.epsilonAfter(1.0, 1.1, 2, 1e-5), 1e-5);

    // when
    var refusal = PolicyCheck.refusal(policy, job(DP), budget, "j1", 3);

    // then
    assertEquals(Optional.empty(), refusal);
  }

  @Test
  void refusesJobWhoseDeltaWouldExceedTheSitesDeltaBudget() {
    // given: basic composition adds deltas too, and another job already holds all of it
    var policy = new PrivacyPolicy(false, false, 0, UNLIMITED, new PrivacyPolicy.Budget(100, 1e-5));
    var budget = PrivacyBudget.open(state);
    budget.record("other", 1.0, 1e-5);

    // when
    var refusal = PolicyCheck.refusal(policy, job(DP), budget, "j1", 1);

    // then
    assertTrue(refusal.isPresent() && refusal.get().contains("exceeds the site's delta budget"), refusal.toString());
  }

  @Test
  void refusesRoundBeyondTheJobsOwnMaxEpsilon() {
    // given: one unsampled round with z = 1.1 already costs more than 2
    JobSpec greedy = job("dp: {mode: central, clip: 1.0, noise_multiplier: 1.1, max_epsilon: 2}\n");

    // when
    var refusal = check(PrivacyPolicy.permissive(), greedy, 1);

    // then
    assertTrue(refusal.isPresent() && refusal.get().contains("above its own max_epsilon 2.0"), refusal.toString());
  }
}
