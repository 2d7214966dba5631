package org.medfl.common.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SecAggPrivacyTest {

  @Test
  void maskedVectorIsUncorrelatedWithTheInputAndUniform() {
    // given: 40,000 words span three keystream chunks of the mask generator
    int length = 40_000;
    SecAggFixture round = new SecAggFixture(3, 2, length, 4, 2024);
    String site = round.names.get(0);
    float[] update = round.updates.get(site);
    // A strongly structured input: a ramp over the whole clip range.
    for (int j = 0; j < length; j++) {
      update[j] = (float) (-1 + 2.0 * j / length);
    }
    int[] plain = Quantizer.quantize(update, round.weights.get(site), round.params, new SplittableRandom(1));

    // when
    int[] masked = maskedInputs(round).get(site).values();

    // then
    int equal = 0;
    for (int j = 0; j < length; j++) {
      equal += masked[j] == plain[j] ? 1 : 0;
    }
    assertTrue(equal < 5, equal + " masked coordinates equal the plain ones");
    double r = pearson(plain, masked, length);
    assertTrue(Math.abs(r) < 0.05, "correlation of masked and plain vectors is " + r);
    // Chi-square of the top 6 bits over 64 buckets: 63 degrees of freedom, 103.4 is the 0.1% critical value.
    long[] buckets = new long[64];
    for (int j = 0; j < length; j++) {
      buckets[masked[j] >>> 26]++;
    }
    double expected = length / 64.0;
    double chiSquare = 0;
    for (long count : buckets) {
      chiSquare += (count - expected) * (count - expected) / expected;
    }
    assertTrue(chiSquare < 103.4, "masked values are not uniform: chi-square " + chiSquare);
  }

  @Test
  void siteRefusesToGiveBothSharesOfOnePeer() {
    // given
    SecAggFixture round = new SecAggFixture(3, 2, 10, 4, 7);
    maskedInputs(round);
    String asked = round.names.get(0);
    String victim = round.names.get(1);
    UnmaskRequest greedy = new UnmaskRequest(SecAggFixture.JOB, 4, round.names, List.of(victim));

    // when
    SecAggException refused = assertThrows(SecAggException.class, () -> round.sites.get(asked).unmask(greedy));

    // then
    assertTrue(refused.getMessage().contains("both shares (b and s) of " + victim), refused.getMessage());
  }

  @Test
  void siteRefusesASecondDifferentRequestButRepeatsItsAnswer() {
    // given
    SecAggFixture round = new SecAggFixture(3, 2, 10, 4, 8);
    maskedInputs(round);
    round.server.closeMaskedInputs();
    String asked = round.names.get(0);
    String other = round.names.get(1);
    UnmaskRequest honest = round.server.unmaskRequestFor(asked);
    UnmaskResponse first = round.sites.get(asked).unmask(honest);
    List<String> rest = round.names.stream().filter(n -> !n.equals(other)).toList();
    // Asking again with `other` as dropped would add its s-share to the b-share already given.
    UnmaskRequest split = new UnmaskRequest(SecAggFixture.JOB, 4, rest, List.of(other));

    // when
    UnmaskResponse again = round.sites.get(asked).unmask(honest);
    SecAggException refused = assertThrows(SecAggException.class, () -> round.sites.get(asked).unmask(split));

    // then
    assertSame(first, again);
    assertTrue(refused.getMessage().contains("already answered a different unmask request"), refused.getMessage());
  }

  @Test
  void siteRefusesToUnmaskBeforeItSentItsMaskedInput() {
    // given
    SecAggFixture round = new SecAggFixture(3, 2, 10, 4, 9);
    String asked = round.names.get(0);
    UnmaskRequest request = new UnmaskRequest(SecAggFixture.JOB, 4, round.names, List.of());

    // when
    SecAggException refused = assertThrows(SecAggException.class, () -> round.sites.get(asked).unmask(request));

    // then
    assertTrue(refused.getMessage().contains("never told which sites took part"), refused.getMessage());
  }

  @Test
  void siteRefusesListsThatDoNotMatchTheSitesItMaskedWith() {
    // given
    SecAggFixture round = new SecAggFixture(4, 2, 10, 4, 10);
    maskedInputs(round);
    String asked = round.names.get(0);
    // One site missing from both lists: its shares would be neither used nor accounted for.
    UnmaskRequest partial = new UnmaskRequest(SecAggFixture.JOB, 4, round.names.subList(0, 2),
        List.of(round.names.get(2)));

    // when
    SecAggException refused = assertThrows(SecAggException.class, () -> round.sites.get(asked).unmask(partial));

    // then
    assertTrue(refused.getMessage().contains("but it masked with"), refused.getMessage());
  }

  @Test
  void siteAbortsWhenFewerThanThresholdSurvivorsAreListed() {
    // given
    SecAggFixture round = new SecAggFixture(3, 3, 10, 4, 11);
    maskedInputs(round);
    String asked = round.names.get(0);
    UnmaskRequest few = new UnmaskRequest(SecAggFixture.JOB, 4, round.names.subList(0, 2),
        List.of(round.names.get(2)));

    // when
    SecAggAbort abort = assertThrows(SecAggAbort.class, () -> round.sites.get(asked).unmask(few));

    // then
    assertEquals(2, abort.remaining());
    assertEquals(3, abort.threshold());
  }

  /** Runs stages 0 to 2 for every site and returns the masked inputs, which the server has also summed. */
  static Map<String, MaskedVector> maskedInputs(SecAggFixture round) {
    for (SecAggSite site : round.sites.values()) {
      round.server.acceptAdvertisement(site.advertise());
    }
    List<AdvertiseKeys> ads = round.server.closeAdvertise();
    for (SecAggSite site : round.sites.values()) {
      round.server.acceptShares(site.shareKeys(ads, round.signingKeys));
    }
    round.server.closeShares();
    Map<String, MaskedVector> masked = new TreeMap<>();
    for (String name : round.names) {
      MaskedVector vector = round.sites.get(name).mask(round.updates.get(name), round.weights.get(name),
          round.server.sharesFor(name));
      round.server.acceptMaskedInput(vector);
      masked.put(name, vector);
    }
    return masked;
  }

  private static double pearson(int[] plain, int[] masked, int length) {
    double mx = 0;
    double my = 0;
    for (int j = 0; j < length; j++) {
      mx += plain[j];
      my += Integer.toUnsignedLong(masked[j]);
    }
    mx /= length;
    my /= length;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int j = 0; j < length; j++) {
      double dx = plain[j] - mx;
      double dy = Integer.toUnsignedLong(masked[j]) - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
