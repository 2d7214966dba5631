package org.medfl.common.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.pki.Identity;

class SecAggTamperTest {

  @Test
  void flippedBitInAShareCiphertextIsRejected() {
    // given
    SecAggFixture round = new SecAggFixture(3, 2, 10, 5, 1);
    shareKeys(round);
    String recipient = round.names.get(1);
    List<EncryptedShareFor> delivered = new ArrayList<>(round.server.sharesFor(recipient));
    EncryptedShareFor original = delivered.get(0);
    byte[] flipped = original.ciphertext().clone();
    flipped[flipped.length / 2] ^= 0x04;
    delivered.set(0, new EncryptedShareFor(original.from(), original.to(), flipped));

    // when
    SecAggException rejected = assertThrows(SecAggException.class,
        () -> round.sites.get(recipient).mask(round.updates.get(recipient), 1, delivered));

    // then
    assertTrue(rejected.getMessage().contains("the shares from " + original.from() + " to " + recipient
        + " do not decrypt"), rejected.getMessage());
  }

  @Test
  void shareReplayedFromThePreviousRoundIsRejectedEvenWithTheSameKeys() {
    // given: the same seeds give every site the same keys in rounds 5 and 6
    SecAggFixture earlier = new SecAggFixture(3, 2, 10, 5, 2);
    SecAggFixture later = new SecAggFixture(3, 2, 10, 6, 2);
    List<AdvertiseKeys> earlierAds = shareKeys(earlier);
    List<AdvertiseKeys> laterAds = shareKeys(later);
    assertArrayEquals(earlierAds.get(0).cPublicKey(), laterAds.get(0).cPublicKey());
    String recipient = later.names.get(1);
    List<EncryptedShareFor> delivered = new ArrayList<>(later.server.sharesFor(recipient));
    EncryptedShareFor replayed = earlier.server.sharesFor(recipient).get(0);
    delivered.set(0, replayed);

    // when
    SecAggException rejected = assertThrows(SecAggException.class,
        () -> later.sites.get(recipient).mask(later.updates.get(recipient), 1, delivered));

    // then
    assertTrue(rejected.getMessage().contains("replayed from another round"), rejected.getMessage());
  }

  @Test
  void advertisementSignedByAnotherKeyIsRejected() {
    // given
    SecAggFixture round = new SecAggFixture(3, 2, 10, 5, 3);
    List<AdvertiseKeys> ads = new ArrayList<>();
    for (SecAggSite site : round.sites.values()) {
      ads.add(site.advertise());
    }
    // Mallory substitutes her own keys in the first site's advertisement and signs it with her certificate key.
    Identity mallory = SecAggFixture.identity("mallory");
    AdvertiseKeys genuine = ads.get(0);
    byte[] c = ads.get(1).sPublicKey().clone();
    byte[] s = ads.get(2).sPublicKey().clone();
    c[0] ^= 1;
    s[0] ^= 1;
    byte[] signature = Signatures.sign(mallory.privateKey(),
        AdvertiseKeys.signedBytes(genuine.jobId(), genuine.round(), genuine.site(), c, s, round.params));
    ads.set(0, new AdvertiseKeys(genuine.jobId(), genuine.round(), genuine.site(), c, s, signature));
    SecAggSite verifier = round.sites.get(round.names.get(1));

    // when
    SecAggException rejected = assertThrows(SecAggException.class,
        () -> verifier.shareKeys(ads, round.signingKeys));

    // then
    assertTrue(rejected.getMessage().contains("the advertisement of " + genuine.site() + " has a bad signature"),
        rejected.getMessage());
  }

  @Test
  void advertisementSignedForOtherParametersIsRejected() {
    // given
    SecAggFixture round = new SecAggFixture(3, 2, 10, 5, 4);
    List<AdvertiseKeys> ads = new ArrayList<>();
    for (SecAggSite site : round.sites.values()) {
      ads.add(site.advertise());
    }
    AdvertiseKeys genuine = ads.get(0);
    SecAggParameters looser = new SecAggParameters(3, 2, 100.0, SecAggFixture.MAX_WEIGHT);
    byte[] signature = Signatures.sign(SecAggFixture.identity(genuine.site()).privateKey(),
        AdvertiseKeys.signedBytes(genuine.jobId(), genuine.round(), genuine.site(), genuine.cPublicKey(),
            genuine.sPublicKey(), looser));
    ads.set(0, new AdvertiseKeys(genuine.jobId(), genuine.round(), genuine.site(), genuine.cPublicKey(),
        genuine.sPublicKey(), signature));

    // when
    SecAggException rejected = assertThrows(SecAggException.class,
        () -> round.sites.get(round.names.get(1)).shareKeys(ads, round.signingKeys));

    // then
    assertTrue(rejected.getMessage().contains("signed for other secure aggregation parameters"),
        rejected.getMessage());
  }

  /** Runs stages 0 and 1 for every site and closes stage 1 at the server. */
  private static List<AdvertiseKeys> shareKeys(SecAggFixture round) {
    for (SecAggSite site : round.sites.values()) {
      round.server.acceptAdvertisement(site.advertise());
    }
    List<AdvertiseKeys> ads = round.server.closeAdvertise();
    for (SecAggSite site : round.sites.values()) {
      round.server.acceptShares(site.shareKeys(ads, round.signingKeys));
    }
    round.server.closeShares();
    return ads;
  }
}
