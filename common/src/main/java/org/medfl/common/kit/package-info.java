/** Startup kits: the signed folder of certificate, key, CA and coordinator address that each participant starts from. */
package org.medfl.common.kit;
