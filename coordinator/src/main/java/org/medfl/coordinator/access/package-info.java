/**
 * Who may call what: the caller's certificate must still be good (not expired, not revoked by the CRL) and its role
 * must be in the table beside each rpc.
 */
package org.medfl.coordinator.access;
