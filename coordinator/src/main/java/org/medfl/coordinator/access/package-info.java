/** Who may call what: the caller's role, read from its certificate, checked against a table beside each rpc. */
package org.medfl.coordinator.access;
