package org.medfl.common.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SecAggMessagesTest {
  private static AdvertiseKeys advertisement;
  private static EncryptedShares shares;
  private static MaskedVector masked;
  private static UnmaskRequest request;
  private static UnmaskResponse response;

  /** Real messages of one round with a dropped site, so that every field and list is non-trivial. */
  @BeforeAll
  static void runOneRound() {
    SecAggFixture round = new SecAggFixture(4, 2, 50, 3, 77);
    String dropped = round.names.get(3);
    List<AdvertiseKeys> ads;
    for (SecAggSite site : round.sites.values()) {
      round.server.acceptAdvertisement(site.advertise());
    }
    ads = round.server.closeAdvertise();
    advertisement = ads.get(0);
    for (SecAggSite site : round.sites.values()) {
      EncryptedShares sent = site.shareKeys(ads, round.signingKeys);
      round.server.acceptShares(sent);
      shares = sent;
    }
    round.server.closeShares();
    for (String name : round.names.subList(0, 3)) {
      masked = round.sites.get(name).mask(round.updates.get(name), 9, round.server.sharesFor(name));
      round.server.acceptMaskedInput(masked);
    }
    round.server.closeMaskedInputs();
    request = round.server.unmaskRequestFor(round.names.get(0));
    response = round.sites.get(round.names.get(0)).unmask(request);
    assertEquals(List.of(dropped), request.dropped());
  }

  @Test
  void advertisementRoundTrips() {
    // given
    byte[] bytes = advertisement.toBytes();

    // when
    AdvertiseKeys decoded = AdvertiseKeys.fromBytes(bytes);

    // then
    assertEquals(advertisement.site(), decoded.site());
    assertEquals(advertisement.round(), decoded.round());
    assertArrayEquals(advertisement.sPublicKey(), decoded.sPublicKey());
    assertArrayEquals(advertisement.signature(), decoded.signature());
    assertArrayEquals(bytes, decoded.toBytes());
  }

  @Test
  void encryptedSharesRoundTrip() {
    // given
    byte[] bytes = shares.toBytes();

    // when
    EncryptedShares decoded = EncryptedShares.fromBytes(bytes);

    // then
    assertEquals(3, decoded.shares().size());
    assertArrayEquals(shares.shares().get(2).ciphertext(), decoded.shares().get(2).ciphertext());
    assertArrayEquals(shares.selfMaskCommitment(), decoded.selfMaskCommitment());
    assertArrayEquals(bytes, decoded.toBytes());
  }

  @Test
  void singleEnvelopeRoundTrips() {
    // given
    EncryptedShareFor envelope = shares.shares().get(1);

    // when
    EncryptedShareFor decoded = EncryptedShareFor.fromBytes(envelope.toBytes());

    // then
    assertEquals(envelope.to(), decoded.to());
    assertArrayEquals(envelope.ciphertext(), decoded.ciphertext());
  }

  @Test
  void maskedVectorRoundTrips() {
    // given
    byte[] bytes = masked.toBytes();

    // when
    MaskedVector decoded = MaskedVector.fromBytes(bytes);

    // then
    assertEquals(masked.site(), decoded.site());
    assertArrayEquals(masked.values(), decoded.values());
    assertArrayEquals(bytes, decoded.toBytes());
  }

  @Test
  void unmaskRequestRoundTrips() {
    // when
    UnmaskRequest decoded = UnmaskRequest.fromBytes(request.toBytes());

    // then
    assertEquals(request, decoded);
  }

  @Test
  void unmaskResponseRoundTrips() {
    // given
    byte[] bytes = response.toBytes();

    // when
    UnmaskResponse decoded = UnmaskResponse.fromBytes(bytes);

    // then
    assertEquals(response.shareIndex(), decoded.shareIndex());
    assertEquals(3, decoded.selfMaskShares().size());
    assertEquals(1, decoded.maskingKeyShares().size());
    for (Map.Entry<String, byte[]> share : response.maskingKeyShares().entrySet()) {
      assertArrayEquals(share.getValue(), decoded.maskingKeyShares().get(share.getKey()));
    }
    assertArrayEquals(bytes, decoded.toBytes());
  }

  @Test
  void truncatedOrMistypedBytesAreRejected() {
    // given
    byte[] bytes = masked.toBytes();
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);
    byte[] extended = Arrays.copyOf(bytes, bytes.length + 1);

    // when
    SecAggException shortened = assertThrows(SecAggException.class, () -> MaskedVector.fromBytes(truncated));
    SecAggException trailing = assertThrows(SecAggException.class, () -> MaskedVector.fromBytes(extended));
    SecAggException mistyped = assertThrows(SecAggException.class, () -> UnmaskRequest.fromBytes(bytes));

    // then
    assertEquals("malformed masked vector: truncated", shortened.getMessage());
    assertEquals("malformed masked vector: 1 trailing bytes", trailing.getMessage());
    assertTrue(mistyped.getMessage().contains("wrong message type"), mistyped.getMessage());
  }
}
