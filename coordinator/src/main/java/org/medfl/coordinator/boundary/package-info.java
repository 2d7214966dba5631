/** What every call crosses before and after the services: requests that do not parse, and status descriptions. */
package org.medfl.coordinator.boundary;
