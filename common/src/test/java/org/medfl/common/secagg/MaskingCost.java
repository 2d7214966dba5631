package org.medfl.common.secagg;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.medfl.common.pki.Identity;

/**
 * Measures the cost of masking and unmasking (not a test): one round of N sites over a vector of L floats, with no
 * dropout and with one site dropped after ShareKeys, which makes the server recompute that site's pairwise masks.
 *
 * <p>Run from the repository root after {@code mvn -o -q -pl common -am test-compile dependency:build-classpath
 * -Dmdep.outputFile=/tmp/secagg-cp.txt -Dmdep.includeScope=test}: {@code java -Xmx3g -cp
 * common/target/test-classes:common/target/classes:$(cat /tmp/secagg-cp.txt) org.medfl.common.secagg.MaskingCost 10
 * 1000000 10000000}.
 */
public final class MaskingCost {
  private MaskingCost() {}

  /** Arguments: N, then one or more vector lengths L. */
  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    for (int i = 1; i < args.length; i++) {
      int length = Integer.parseInt(args[i]);
      measure(n, length, 0);
      measure(n, length, 1);
    }
  }

  private static void measure(int n, int length, int dropped) {
    SecAggParameters params = new SecAggParameters(n, n / 2 + 1, 1.0, 10_000);
    float[] update = new float[length];
    Random random = new Random(1);
    for (int j = 0; j < length; j++) {
      update[j] = (float) random.nextGaussian() * 0.1f;
    }
    List<String> names = new ArrayList<>();
    Map<String, PublicKey> keys = new HashMap<>();
    List<SecAggSite> sites = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Identity identity = SecAggFixture.identity("cost-site-" + i);
      names.add(identity.name());
      keys.put(identity.name(), identity.certificate().getPublicKey());
      sites.add(new SecAggSite("cost", 1, identity, params, SecAggFixture.seeded(i)));
    }
    SecAggServer server = new SecAggServer("cost", 1, names, params, length);
    sites.forEach(site -> server.acceptAdvertisement(site.advertise()));
    List<AdvertiseKeys> ads = server.closeAdvertise();
    long keysStart = System.nanoTime();
    sites.forEach(site -> server.acceptShares(site.shareKeys(ads, keys)));
    server.closeShares();
    double shareSeconds = (System.nanoTime() - keysStart) / 1e9;

    long maskNanos = 0;
    long sumNanos = 0;
    for (SecAggSite site : sites.subList(dropped, n)) {
      long start = System.nanoTime();
      MaskedVector masked = site.mask(update, 100, server.sharesFor(site.name()));
      long added = System.nanoTime();
      server.acceptMaskedInput(masked);
      maskNanos += added - start;
      sumNanos += System.nanoTime() - added;
    }
    server.closeMaskedInputs();
    long unmaskStart = System.nanoTime();
    for (SecAggSite site : sites.subList(dropped, n)) {
      server.acceptUnmaskResponse(site.unmask(server.unmaskRequestFor(site.name())));
    }
    AggregateResult result = server.finish();
    double unmaskSeconds = (System.nanoTime() - unmaskStart) / 1e9;
    int masked = n - dropped;
    // Every site sent the same update, so the weighted mean must give it back.
    float[] mean = result.mean();
    double worst = 0;
    for (int j = 0; j < length; j++) {
      worst = Math.max(worst, Math.abs(mean[j] - update[j]));
    }
    System.out.printf("N=%d L=%d dropped=%d: shareKeys (all sites) %.2f s; mask %.3f s per site; server sum %.3f s "
        + "per input; server unmask %.2f s; total weight %.0f; max |mean - update| %.2e%n", n, length, dropped,
        shareSeconds, maskNanos / 1e9 / masked, sumNanos / 1e9 / masked, unmaskSeconds, result.totalWeight(), worst);
  }
}
