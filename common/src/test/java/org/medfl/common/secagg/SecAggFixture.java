package org.medfl.common.secagg;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.medfl.common.pki.Identity;
import org.medfl.common.testing.TestPki;

/**
 * A round of secure aggregation between real {@link SecAggSite}s and a real {@link SecAggServer}, with the messages
 * passed by hand; every random source is seeded so that a failure can be replayed.
 */
final class SecAggFixture {
  static final String JOB = "job-secagg";
  static final double CLIP = 1.0;
  static final long MAX_WEIGHT = 5_000;

  /** One CA for all tests: issuing certificates is the slow part of setting up a round. */
  private static final TestPki PKI = TestPki.create("secagg-test");

  final int round;
  final SecAggParameters params;
  final List<String> names = new ArrayList<>();
  final Map<String, SecAggSite> sites = new LinkedHashMap<>();
  final Map<String, PublicKey> signingKeys = new HashMap<>();
  final Map<String, float[]> updates = new HashMap<>();
  final Map<String, Long> weights = new HashMap<>();
  final int length;
  SecAggServer server;

  /**
   * @param n the number of sites
   * @param threshold T
   * @param length L, the update length
   * @param round the round number; sites with the same seed and name get the same keys in every round
   * @param seed the seed of updates, weights and each site's randomness
   */
  SecAggFixture(int n, int threshold, int length, int round, long seed) {
    this.round = round;
    this.length = length;
    this.params = new SecAggParameters(n, threshold, CLIP, MAX_WEIGHT);
    Random data = new Random(seed);
    for (int i = 0; i < n; i++) {
      // Names that do not sort in creation order, so both signs of every pairwise mask are exercised.
      String name = "hospital-" + (char) ('a' + (i * 7) % 26) + i;
      Identity identity = PKI.site(name);
      names.add(name);
      signingKeys.put(name, identity.certificate().getPublicKey());
      sites.put(name, new SecAggSite(JOB, round, identity, params, seeded(seed * 1_000 + i)));
      float[] update = new float[length];
      for (int j = 0; j < length; j++) {
        // Up to 1.5 * CLIP, so clipping matters.
        update[j] = (float) ((data.nextDouble() * 2 - 1) * 1.5 * CLIP);
      }
      updates.put(name, update);
      weights.put(name, 1 + (long) data.nextInt((int) MAX_WEIGHT));
    }
    server = new SecAggServer(JOB, round, names, params, length);
  }

  /** The identity of a site, or of any other participant of the test CA. */
  static Identity identity(String name) {
    return PKI.site(name);
  }

  /** A SecureRandom whose output is fixed by {@code seed}. */
  static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(Long.toString(seed).getBytes(StandardCharsets.UTF_8));
      return random;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code k} site names chosen with a fixed seed. */
  List<String> pick(int k, long seed) {
    List<String> shuffled = new ArrayList<>(names);
    Collections.shuffle(shuffled, new Random(seed));
    return List.copyOf(shuffled.subList(0, k));
  }

  /**
   * Runs the whole round; each site in {@code dropouts} sends only its first {@code stagesSent} messages (0: none,
   * 1: the advertisement, 2: also its shares, 3: also its masked input, but no unmask response).
   */
  AggregateResult run(Set<String> dropouts, int stagesSent) {
    for (String name : names) {
      if (sends(name, SecAggStage.ADVERTISE_KEYS, dropouts, stagesSent)) {
        server.acceptAdvertisement(sites.get(name).advertise());
      }
    }
    List<AdvertiseKeys> ads = server.closeAdvertise();
    for (AdvertiseKeys ad : ads) {
      if (sends(ad.site(), SecAggStage.SHARE_KEYS, dropouts, stagesSent)) {
        server.acceptShares(sites.get(ad.site()).shareKeys(ads, signingKeys));
      }
    }
    server.closeShares();
    for (String name : names) {
      if (sends(name, SecAggStage.MASKED_INPUT, dropouts, stagesSent)) {
        server.acceptMaskedInput(sites.get(name).mask(updates.get(name), weights.get(name), server.sharesFor(name)));
      }
    }
    server.closeMaskedInputs();
    for (String name : names) {
      if (sends(name, SecAggStage.UNMASKING, dropouts, stagesSent)) {
        server.acceptUnmaskResponse(sites.get(name).unmask(server.unmaskRequestFor(name)));
      }
    }
    return server.finish();
  }

  /** The exact weighted sum {@code sum_i w_i clip(x_i)} over {@code contributors}. */
  double[] plainWeightedSum(List<String> contributors) {
    double[] sum = new double[length];
    for (String name : contributors) {
      float[] update = updates.get(name);
      for (int j = 0; j < length; j++) {
        sum[j] += weights.get(name) * Math.max(-CLIP, Math.min(CLIP, (double) update[j]));
      }
    }
    return sum;
  }

  private static boolean sends(String name, SecAggStage stage, Set<String> dropouts, int stagesSent) {
    return !dropouts.contains(name) || stage.ordinal() < stagesSent;
  }
}
