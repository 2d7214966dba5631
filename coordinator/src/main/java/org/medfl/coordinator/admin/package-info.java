/** The consortium-facing gRPC edge: job submission, status, abort, model download and audit log reading. */
package org.medfl.coordinator.admin;
