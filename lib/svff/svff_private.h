/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal state of the control plane, shared by lib/svff's own files. */
#ifndef SVFF_PRIVATE_H
#define SVFF_PRIVATE_H

#include <stdbool.h>

#include <rte_log.h>

#include "svff.h"

extern int svff_logtype;
#define SVFF_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, svff_logtype, "svff: " fmt "\n", ##__VA_ARGS__)

struct svff {
	struct svff_config cfg;
	uint64_t start_tsc;
	uint64_t start_time;   /* CLOCK_MONOTONIC seconds */
	bool pf_attached;      /* we probed the PF vdev (emulated card) */
	uint16_t pf_port;      /* the PF's ethdev port */
	char pf_name[SVFF_CONFIG_STR_MAX];
};

#endif /* SVFF_PRIVATE_H */
