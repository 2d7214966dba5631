package org.medfl.coordinator.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.medfl.common.pki.PkiException;
import org.medfl.common.pki.RevocationList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a caller's certificate, which the TLS handshake already verified, may still be used for this call: not
 * expired and not revoked by the consortium's CRL.
 *
 * <p>Per call, not per handshake, because connections are long-lived: a site connected before its certificate was
 * revoked or expired is refused on its very next call.
 *
 * <p>The CRL file is re-read, without a restart, whenever it changes. The check costs one {@code stat} of the file
 * per call (modification time, size and file key); the file is parsed and its signature checked only when one of
 * them changed, and once a minute in any case, since a quick replacement can keep all three (timestamps are coarse,
 * inode numbers are reused). A new list is taken only if the consortium CA signed it and its CRL number is not lower
 * than the one in force, so an older list cannot bring a revoked certificate back. A file that is missing,
 * unreadable or wrongly signed leaves the list in force unchanged and is logged. Replace the file with a rename
 * (write a temp file, then {@code mv}) so that it is never read half-written; a half-written file is only logged, and
 * read again when it changes.
 */
public final class CertificateCheck {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateCheck.class);
  private static final Duration REREAD = Duration.ofMinutes(1);

  private final Path crlFile;
  private final X509Certificate ca;
  private final Clock clock;
  private volatile Loaded loaded = new Loaded(Stamp.UNREAD, RevocationList.empty(), Instant.MIN);

  /**
   * @param crlFile the PEM CRL to honour, e.g. {@code KIT/startup/crl.pem}; it may appear later; null to check expiry
   *     only
   * @param ca the consortium CA, which must have signed the CRL
   * @param clock the time expiry is checked against
   */
  public CertificateCheck(Path crlFile, X509Certificate ca, Clock clock) {
    this.crlFile = crlFile;
    this.ca = ca;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Checks expiry and the revocations in {@code crlFile}, re-read whenever it changes. */
  public static CertificateCheck withCrl(Path crlFile, X509Certificate ca) {
    return new CertificateCheck(Objects.requireNonNull(crlFile, "crlFile"), Objects.requireNonNull(ca, "ca"),
        Clock.systemUTC());
  }

  /** Checks expiry only, for coordinators run without a CRL (tests, simulations, benchmarks). */
  public static CertificateCheck expiryOnly() {
    return new CertificateCheck(null, null, Clock.systemUTC());
  }

  /**
   * Why {@code certificate} must be refused now, as one sentence naming it, or empty if it may be used.
   *
   * @param certificate a leaf certificate that TLS verified against the consortium CA
   */
  public Optional<String> refusal(X509Certificate certificate) {
    Instant now = clock.instant();
    String who = certificate.getSubjectX500Principal().getName() + " (serial " + certificate.getSerialNumber()
        .toString(16) + ")";
    if (now.isAfter(certificate.getNotAfter().toInstant())) {
      return Optional.of("certificate " + who + " expired at " + certificate.getNotAfter().toInstant());
    }
    if (now.isBefore(certificate.getNotBefore().toInstant())) {
      return Optional.of("certificate " + who + " is not valid before " + certificate.getNotBefore().toInstant());
    }
    Optional<Instant> revokedAt = revocationList().revokedAt(certificate);
    return revokedAt.map(at -> "certificate " + who + " was revoked by the consortium CA at " + at);
  }

  /** The revocation list in force, re-read first if the file changed; empty when checking expiry only. */
  public RevocationList revocationList() {
    if (crlFile == null) {
      return RevocationList.empty();
    }
    Stamp stamp = Stamp.of(crlFile);
    Instant now = clock.instant();
    Loaded current = loaded;
    if (current.isCurrent(stamp, now)) {
      return current.list();
    }
    synchronized (this) {
      if (!loaded.isCurrent(stamp, now)) {
        loaded = reload(stamp, loaded, now);
      }
      return loaded.list();
    }
  }

  private Loaded reload(Stamp stamp, Loaded previous, Instant now) {
    // The same stamp means the periodic re-read: it logs only what changed or is wrong.
    boolean changed = !stamp.equals(previous.stamp());
    RevocationList inForce = previous.list();
    if (stamp.equals(Stamp.ABSENT)) {
      if (changed && inForce.number().signum() > 0) {
        LOG.warn("revocation list {} is gone; keeping the one in force (CRL number {}, {} revoked)", crlFile,
            inForce.number(), inForce.size());
      } else if (changed) {
        LOG.info("no revocation list at {} yet; revocations apply as soon as one is put there", crlFile);
      }
      return new Loaded(stamp, inForce, now);
    }
    RevocationList candidate;
    try {
      candidate = RevocationList.read(crlFile, ca);
    } catch (PkiException e) {
      LOG.error("revocation list {} refused, keeping the one in force (CRL number {}): {}", crlFile,
          inForce.number(), e.getMessage());
      return new Loaded(stamp, inForce, now);
    }
    if (candidate.number().compareTo(inForce.number()) < 0) {
      LOG.error("revocation list {} refused, keeping the one in force: its CRL number {} is older than {}", crlFile,
          candidate.number(), inForce.number());
      return new Loaded(stamp, inForce, now);
    }
    if (changed || !candidate.number().equals(inForce.number()) || candidate.size() != inForce.size()) {
      LOG.info("revocation list {} in force: CRL number {}, {} revoked, issued {}", crlFile, candidate.number(),
          candidate.size(), candidate.thisUpdate());
      candidate.nextUpdate().filter(next -> next.isBefore(now)).ifPresent(next -> LOG.warn(
          "revocation list {} was due for renewal at {}; ask the CA operator for a newer one", crlFile, next));
    }
    return new Loaded(stamp, candidate, now);
  }

  /** A revocation list, the state of the file it was read from, and when. */
  private record Loaded(Stamp stamp, RevocationList list, Instant readAt) {
    boolean isCurrent(Stamp now, Instant time) {
      return stamp.equals(now) && readAt.plus(REREAD).isAfter(time);
    }
  }

  /** What one stat of the CRL file says; a change in any field means the file was replaced or rewritten. */
  private record Stamp(FileTime modified, long size, Object fileKey) {
    static final Stamp ABSENT = new Stamp(null, -1, null);
    static final Stamp UNREAD = new Stamp(null, -2, null);

    static Stamp of(Path file) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
      } catch (NoSuchFileException e) {
        return ABSENT;
      } catch (IOException e) {
        // Unreadable counts as absent: the list in force stays, and the next call looks again.
        return ABSENT;
      }
    }
  }
}
