/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svffd: the svff daemon.  Wiring only: options, config, EAL, the control
 * plane (lib/svff), signals.
 *
 *   svffd [EAL options] -- [--config FILE] [--check] [--help] [--version]
 *
 * The order every DPDK application uses.  The config's "eal" list gives
 * defaults for EAL options the command line does not give.  The main lcore
 * is the manager lcore: it runs lib/svff's manager loop until a signal.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "qdma_sim.h"
#include "svff_hv.h"
#include "vslot_server.h"
#include "svff.h"
#include "svff_config.h"

#define MAX_EAL_ARGS (SVFF_CONFIG_EAL_MAX + 64)

static volatile int stop_requested;

static void
on_signal(int sig)
{
	stop_requested = sig;
}

static void
usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [EAL options] -- [options]\n"
		"\n"
		"svffd serves the SVFF lifecycle of a QDMA card's virtual functions\n"
		"through DPDK telemetry (commands under /svff/).\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE   JSON configuration (default: built-in defaults:\n"
		"                      emulated card, 4 VFs x 8 queues)\n"
		"  -t, --check         load and check the configuration, then exit\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version and exit\n"
		"\n"
		"EAL options come first (e.g. -l 0-1), as for every DPDK application;\n"
		"the config's \"eal\" list supplies those the command line does not\n"
		"give.  The main lcore is the manager lcore.  --file-prefix defaults to\n"
		"'svff', so the telemetry socket is /var/run/dpdk/svff/dpdk_telemetry.v2:\n"
		"  echo /svff/info | dpdk-telemetry.py -f svff\n"
		"\n"
		"Test only: SVFF_CRASH_AT=<op>:<step> kills svffd at a named step of an\n"
		"operation (crash tests); never set it in production.\n",
		prog);
}

static bool
has_arg(char **argv, int argc, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], name, n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '='))
			return true;
	return false;
}

static void
card_log(void *arg, int level, const char *msg)
{
	(void)arg;
	rte_log(level <= 3 ? RTE_LOG_ERR : level <= 5 ? RTE_LOG_NOTICE :
		level == 6 ? RTE_LOG_INFO : RTE_LOG_DEBUG, RTE_LOGTYPE_USER1, "card: %s\n", msg);
}

/* Create the emulated card at cfg->card.socket (its directory made if needed). */
static struct qdma_sim *
plug_card(const struct svff_config *cfg, char *err, size_t errlen)
{
	struct qdma_sim_cfg c;
	char dir[SVFF_CONFIG_STR_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", cfg->card.socket);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			return NULL;
		}
	}
	qdma_sim_cfg_defaults(&c);
	c.socket_path = cfg->card.socket;
	c.nb_queues = cfg->card.queues;
	c.total_vfs = cfg->card.total_vfs;
	c.personality = cfg->card.personality == SVFF_PERSONALITY_GENERATOR ? QDMA_SIM_GENERATOR :
		cfg->card.personality == SVFF_PERSONALITY_SINK ? QDMA_SIM_SINK : QDMA_SIM_LOOPBACK;
	c.card_mem = cfg->card.card_mem;
	c.log = card_log;
	return qdma_sim_create(&c, err, errlen);
}

/* The card's side of a VF given to a VM (lib/svff's hypervisor adapter calls these). */
static int
card_attach_vm(void *arg, unsigned int vf, const char *bar_path, uint64_t bar_size, int uid,
	int gid, int ram_fd, uint64_t ram_len, bool adopt, char *err, size_t errlen)
{
	struct vslot_external e = {
		.bar_path = bar_path, .bar_file_size = bar_size, .uid = uid, .gid = gid,
		.mode = 0600, .dma_fd = ram_fd, .dma_offset = 0, .dma_iova = 0, .dma_len = ram_len,
		.adopt = adopt,
	};

	return qdma_sim_attach_vm(arg, vf, &e, err, errlen);
}

static int
card_detach_vm(void *arg, unsigned int vf, bool keep_file)
{
	return keep_file ? qdma_sim_detach_vm_keep(arg, vf) : qdma_sim_detach_vm(arg, vf);
}

static int
card_load_personality(void *arg, const char *name, char *err, size_t errlen)
{
	int p = qdma_sim_personality_parse(name);
	int rc = p < 0 ? -EINVAL : qdma_sim_load_personality(arg, (enum qdma_sim_personality)p);

	if (rc < 0)
		snprintf(err, errlen, "the card did not load user logic '%s': %s", name,
			strerror(-rc));
	return rc;
}

static const struct svff_hv_card card_vm_ops = {
	.attach_vm = card_attach_vm,
	.detach_vm = card_detach_vm,
	.load_personality = card_load_personality,
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	char *eal_argv[MAX_EAL_ARGS], *own_argv[MAX_EAL_ARGS];
	int eal_argc = 0, own_argc = 0, opt, rc, dd = -1, cmd_eal;
	const char *config_path = NULL;
	struct svff_config cfg;
	char err[512];
	bool check_only = false;
	struct qdma_sim *card = NULL;
	struct svff *s;

	/* a stop request during start-up is honoured once start-up is done */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* EAL options come before '--', svffd's own after it. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			dd = i;
			break;
		}
	}
	/* svffd --help / --version without EAL options are answered too */
	if (dd < 0 && argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0))
		dd = 0;
	if (dd >= 0) {
		own_argv[own_argc++] = argv[0];
		for (int i = dd + 1; i < argc && own_argc < MAX_EAL_ARGS - 1; i++)
			own_argv[own_argc++] = argv[i];
	}
	own_argv[own_argc] = NULL;
	while ((opt = getopt_long(own_argc, own_argv, "c:thV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		case 'V':
			printf("svffd %s\n", SVFF_VERSION_STRING);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind < own_argc) {
		fprintf(stderr, "svffd: unexpected argument '%s' (EAL options go before '--')\n",
			own_argv[optind]);
		return 2;
	}
	cmd_eal = dd < 0 ? argc - 1 : (dd == 0 ? 0 : dd - 1);

	svff_config_defaults(&cfg);
	if (config_path != NULL) {
		rc = svff_config_load(config_path, &cfg, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "svffd: bad configuration: %s\n", err);
			return 1;
		}
	}
	if (check_only) {
		printf("svffd: %s: OK\n", config_path ? config_path : "(defaults)");
		return 0;
	}

	/* EAL arguments: program name, config "eal", command line, defaults. */
	eal_argv[eal_argc++] = argv[0];
	for (unsigned int i = 0; i < cfg.nb_eal_args; i++) {
		char name[SVFF_CONFIG_STR_MAX], *eq;

		/* an option given on the command line overrides the config's */
		snprintf(name, sizeof(name), "%s", cfg.eal_args[i]);
		eq = strchr(name, '=');
		if (eq != NULL)
			*eq = '\0';
		if (name[0] == '-' && has_arg(&argv[1], cmd_eal, name)) {
			if (eq == NULL && i + 1 < cfg.nb_eal_args && cfg.eal_args[i + 1][0] != '-')
				i++;
			continue;
		}
		eal_argv[eal_argc++] = cfg.eal_args[i];
	}
	for (int i = 1; i <= cmd_eal && eal_argc < MAX_EAL_ARGS - 8; i++)
		eal_argv[eal_argc++] = argv[i];
	if (!has_arg(eal_argv, eal_argc, "--file-prefix")) {
		eal_argv[eal_argc++] = (char *)"--file-prefix";
		eal_argv[eal_argc++] = (char *)"svff";
	}
	/* The emulated card needs no PCI bus scan (which would touch the
	 * host's own devices); a real card is allow-listed by its address. */
	if (!has_arg(eal_argv, eal_argc, "-a") && !has_arg(eal_argv, eal_argc, "--allow") &&
	    !has_arg(eal_argv, eal_argc, "-b") && !has_arg(eal_argv, eal_argc, "--block") &&
	    !has_arg(eal_argv, eal_argc, "--no-pci")) {
		if (cfg.card.type == SVFF_CARD_PCI) {
			static char allow[SVFF_CONFIG_STR_MAX + 128];

			snprintf(allow, sizeof(allow), "%s", cfg.card.pci);
			svff_mailbox_devargs(&cfg, allow + strlen(allow), sizeof(allow) - strlen(allow));
			eal_argv[eal_argc++] = (char *)"-a";
			eal_argv[eal_argc++] = allow;
		} else {
			eal_argv[eal_argc++] = (char *)"--no-pci";
		}
	}
	if (!has_arg(eal_argv, eal_argc, "--log-level")) {
		static char lvl[64];

		snprintf(lvl, sizeof(lvl), "--log-level=lib.svff:%s", cfg.log_level);
		eal_argv[eal_argc++] = lvl;
	}
	eal_argv[eal_argc] = NULL;

	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		fprintf(stderr, "svffd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	/* The embedded default: the emulated card is plugged into its slot
	 * here, and svffd then reaches it like any driver, through the slot. */
	if (cfg.card.type == SVFF_CARD_EMULATED) {
		card = plug_card(&cfg, err, sizeof(err));
		if (card == NULL) {
			fprintf(stderr, "svffd: emulated card: %s\n", err);
			rte_eal_cleanup();
			return 1;
		}
	}
	s = svff_create(&cfg, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "svffd: %s\n", err);
		qdma_sim_destroy(card);
		rte_eal_cleanup();
		return 1;
	}
	if (card != NULL)
		svff_set_card(s, &card_vm_ops, card);
	rc = svff_telemetry_register(s);
	if (rc < 0) {
		fprintf(stderr, "svffd: cannot register telemetry commands: %s\n", strerror(-rc));
		svff_destroy(s);
		qdma_sim_destroy(card);
		rte_eal_cleanup();
		return 1;
	}

	printf("svffd %s ready: config %s, telemetry under /svff/ (file prefix in use: see "
		"/var/run/dpdk/)\n", SVFF_VERSION_STRING, config_path ? config_path : "(defaults)");
	fflush(stdout);

	/* the main lcore is the manager lcore */
	svff_run(s, &stop_requested);

	printf("svffd: %s received, shutting down\n", stop_requested == SIGINT ? "SIGINT" : "SIGTERM");
	svff_destroy(s);
	qdma_sim_destroy(card);
	rte_eal_cleanup();
	printf("svffd: stopped\n");
	return 0;
}
