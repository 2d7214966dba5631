/** The per-job append-only audit log, hash-chained and signed by the coordinator, and its offline verifier. */
package org.medfl.common.audit;
