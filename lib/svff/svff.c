/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_log.h>
#include <rte_malloc.h>

#include "svff_private.h"

RTE_LOG_REGISTER_DEFAULT(svff_logtype, INFO);

static uint64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

struct svff *
svff_create(const struct svff_config *cfg, char *err, size_t errlen)
{
	struct svff *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->start_time = mono_s();
	SVFF_LOG(INFO, "control plane up: card %s, %u VFs x %u queues",
		svff_card_type_name(cfg->card.type), cfg->vfs.count, cfg->vfs.queues);
	return s;
}

const struct svff_config *
svff_get_config(const struct svff *s)
{
	return &s->cfg;
}

uint64_t
svff_uptime_s(const struct svff *s)
{
	return mono_s() - s->start_time;
}

void
svff_destroy(struct svff *s)
{
	if (s == NULL)
		return;
	svff_telemetry_unregister(s);
	free(s);
}
