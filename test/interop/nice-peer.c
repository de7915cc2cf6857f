/*
 * nice-peer: a libnice ICE endpoint that speaks the `ice-tcp peer` line
 * protocol on stdin/stdout, so that our agent can be tested against libnice
 * (the ICE library of GStreamer and many SIP/WebRTC stacks) over ICE-TCP.
 *
 * Written for this project's interop test only (test/interop/libnice.test.ts).
 * Build: cc nice-peer.c $(pkg-config --cflags --libs nice) -o nice-peer
 *
 * Options: --controlling | --controlled, --udp on|off (default off),
 *          --tcp on|off (default on), --bind ADDR (default 127.0.0.1),
 *          --echo, --send N, --chunk B (default 1200), --timeout S (default 20),
 *          --stun IPV4 [--stun-port P] (default 3478): a STUN server for
 *          server-reflexive candidates (libnice sends RFC 3489 requests)
 *          --turn IP:PORT --turn-user U --turn-pass P [--turn-transport udp|tcp]
 *          (a TURN relay, nice_agent_set_relay_info), --relay-only (force-relay)
 *
 * Prints: ufrag, pwd, a=candidate lines, gathering-done, end-of-candidates,
 * state <name>, selected <local> <remote>, selected-types ..., connected-ms,
 * send-result ..., done, result ok|fail <reason>.
 * Reads: ufrag/a=ice-ufrag:, pwd/a=ice-pwd:, a=candidate:/candidate:,
 * end-of-candidates, done; other lines are ignored.
 *
 * Data (--send): each packet starts with its 64-bit big-endian byte offset in
 * the stream, followed by bytes (offset + i) & 0xff; the --echo side returns
 * packets unchanged; the sender verifies every echoed packet.
 */
#include <nice/agent.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>

#define MAX_UNECHOED (64 * 1024)

static GMainLoop *loop;
static NiceAgent *agent;
static guint stream_id;
static gboolean controlling = FALSE, use_udp = FALSE, use_tcp = TRUE, echo_mode = FALSE;
static const char *bind_addr = "127.0.0.1";
static guint64 send_total = 0, send_chunk = 1200;
static guint timeout_s = 20;

static gchar *remote_ufrag, *remote_pwd;
static GSList *remote_cands;
static gboolean remote_done = FALSE, checks_started = FALSE, ready = FALSE;
static gboolean local_done = FALSE, peer_done = FALSE, stdin_closed = FALSE;
static gint64 t_start_checks = 0;
static int exit_code = 0;
static const char *fail_reason = NULL;

/* sender state */
static guint64 sent = 0, echoed = 0, corrupt = 0;
static gint64 t_send_start = 0;

static void out(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void out(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static void finish(int code, const char *reason) {
  if (fail_reason == NULL && code != 0) fail_reason = reason;
  if (exit_code == 0) exit_code = code;
  g_main_loop_quit(loop);
}

static void maybe_exit(void) {
  if (local_done && (peer_done || stdin_closed)) finish(0, NULL);
}

static void mark_done(void) {
  if (local_done) return;
  local_done = TRUE;
  out("done");
  maybe_exit();
}

static const char *type_name(const NiceCandidate *c) {
  if (c->transport == NICE_CANDIDATE_TRANSPORT_UDP) return "udp";
  if (c->transport == NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE) return "tcp-active";
  if (c->transport == NICE_CANDIDATE_TRANSPORT_TCP_PASSIVE) return "tcp-passive";
  return "tcp-so";
}

static const char *cand_type(const NiceCandidate *c) {
  switch (c->type) {
    case NICE_CANDIDATE_TYPE_HOST: return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
    default: return "relay";
  }
}

/* ---- sending ---- */

static void fill_packet(guint8 *buf, guint64 off, guint len) {
  for (int i = 0; i < 8; i++) buf[i] = (guint8)(off >> (56 - 8 * i));
  for (guint i = 8; i < len; i++) buf[i] = (guint8)((off + i) & 0xff);
}

static void pump(void) {
  static guint8 buf[65536];
  while (ready && sent < send_total && sent - echoed < MAX_UNECHOED) {
    guint64 left = send_total - sent;
    guint len = (guint)(left < send_chunk ? left : send_chunk);
    if (len < 9) len = 9;
    fill_packet(buf, sent, len);
    gint r = nice_agent_send(agent, stream_id, 1, len, (const gchar *)buf);
    if (r < 0) return; /* would block: retried on the next echo or tick */
    sent += len;
  }
}

static gboolean pump_tick(gpointer data) {
  (void)data;
  pump();
  return G_SOURCE_CONTINUE;
}

static void on_recv(NiceAgent *a, guint sid, guint cid, guint len, gchar *buf, gpointer data) {
  (void)data;
  if (echo_mode) {
    nice_agent_send(a, sid, cid, len, buf);
    return;
  }
  if (send_total == 0) return;
  const guint8 *p = (const guint8 *)buf;
  int ok = len >= 9;
  guint64 off = 0;
  if (ok) {
    for (int i = 0; i < 8; i++) off = (off << 8) | p[i];
    for (guint i = 8; i < len && ok; i++) ok = p[i] == (guint8)((off + i) & 0xff);
  }
  if (!ok) corrupt++;
  echoed += len;
  if (echoed >= send_total && sent >= send_total) {
    double ms = (g_get_monotonic_time() - t_send_start) / 1000.0;
    out("send-result sent=%" G_GUINT64_FORMAT " echoed=%" G_GUINT64_FORMAT " corrupt-chunks=%" G_GUINT64_FORMAT
        " ms=%.0f mbps=%.2f", sent, echoed, corrupt, ms, ms > 0 ? (sent * 8.0 / 1e6) / (ms / 1000.0) : 0.0);
    if (corrupt > 0) {
      fail_reason = "corrupt data";
      exit_code = 3;
    }
    mark_done();
  } else {
    pump();
  }
}

/* ---- ICE callbacks ---- */

static void on_gathering_done(NiceAgent *a, guint sid, gpointer data) {
  (void)data;
  gchar *ufrag = NULL, *pwd = NULL;
  nice_agent_get_local_credentials(a, sid, &ufrag, &pwd);
  out("ufrag %s", ufrag);
  out("pwd %s", pwd);
  GSList *cands = nice_agent_get_local_candidates(a, sid, 1);
  for (GSList *i = cands; i; i = i->next) {
    gchar *sdp = nice_agent_generate_local_candidate_sdp(a, i->data);
    out("%s", sdp);
    g_free(sdp);
  }
  g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
  out("gathering-done");
  out("end-of-candidates");
  g_free(ufrag);
  g_free(pwd);
}

static void print_selected(void) {
  NiceCandidate *local = NULL, *remote = NULL;
  if (!nice_agent_get_selected_pair(agent, stream_id, 1, &local, &remote)) return;
  gchar *l = nice_agent_generate_local_candidate_sdp(agent, local);
  gchar *r = nice_agent_generate_local_candidate_sdp(agent, remote);
  out("selected %s %s", l, r);
  out("selected-types local=%s/%s remote=%s/%s", cand_type(local), type_name(local), cand_type(remote),
      type_name(remote));
  g_free(l);
  g_free(r);
}

static void on_state(NiceAgent *a, guint sid, guint cid, guint state, gpointer data) {
  (void)a; (void)sid; (void)cid; (void)data;
  static const char *names[] = {"new", "new", "checking", "connected", "completed", "failed"};
  if (state < G_N_ELEMENTS(names)) out("state %s", names[state]);
  if (state == NICE_COMPONENT_STATE_READY && !ready) {
    ready = TRUE;
    print_selected();
    out("connected-ms %.0f", (g_get_monotonic_time() - t_start_checks) / 1000.0);
    if (send_total > 0) {
      t_send_start = g_get_monotonic_time();
      pump();
      g_timeout_add(5, pump_tick, NULL);
    } else {
      mark_done();
    }
  } else if (state == NICE_COMPONENT_STATE_FAILED) {
    /* Once this side is done, the peer may close its sockets before its own
     * `done` line has been read here: that is the end of the session, not a
     * failure of it. */
    if (local_done) {
      fprintf(stderr, "nice-peer: component failed after done (peer closed); ending\n");
      peer_done = TRUE;
      maybe_exit();
    } else {
      finish(1, "ice failed");
    }
  }
}

static void start_checks(void) {
  if (checks_started || !remote_done || !remote_ufrag || !remote_pwd) return;
  checks_started = TRUE;
  t_start_checks = g_get_monotonic_time();
  nice_agent_set_remote_credentials(agent, stream_id, remote_ufrag, remote_pwd);
  remote_cands = g_slist_reverse(remote_cands);
  if (nice_agent_set_remote_candidates(agent, stream_id, 1, remote_cands) < 0)
    fprintf(stderr, "nice-peer: set_remote_candidates failed\n");
}

static void handle_line(char *line) {
  g_strstrip(line);
  if (g_str_has_prefix(line, "ufrag ")) remote_ufrag = g_strdup(line + 6);
  else if (g_str_has_prefix(line, "a=ice-ufrag:")) remote_ufrag = g_strdup(line + 12);
  else if (g_str_has_prefix(line, "pwd ")) remote_pwd = g_strdup(line + 4);
  else if (g_str_has_prefix(line, "a=ice-pwd:")) remote_pwd = g_strdup(line + 10);
  else if (g_str_has_prefix(line, "a=candidate:") || g_str_has_prefix(line, "candidate:")) {
    gchar *sdp = g_str_has_prefix(line, "a=") ? g_strdup(line) : g_strconcat("a=", line, NULL);
    NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(agent, stream_id, sdp);
    if (c == NULL) fprintf(stderr, "nice-peer: ignoring candidate libnice cannot parse: %s\n", line);
    else if (checks_started) {
      GSList one = {c, NULL};
      nice_agent_set_remote_candidates(agent, stream_id, 1, &one);
      nice_candidate_free(c);
    } else remote_cands = g_slist_prepend(remote_cands, c);
    g_free(sdp);
  } else if (strcmp(line, "end-of-candidates") == 0) {
    remote_done = TRUE;
    start_checks();
  } else if (strcmp(line, "done") == 0) {
    peer_done = TRUE;
    maybe_exit();
  }
}

static gboolean on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data) {
  (void)cond; (void)data;
  gchar *line = NULL;
  gsize len = 0;
  GIOStatus st = g_io_channel_read_line(ch, &line, &len, NULL, NULL);
  if (st == G_IO_STATUS_NORMAL && line) {
    handle_line(line);
    g_free(line);
    return G_SOURCE_CONTINUE;
  }
  g_free(line);
  if (st == G_IO_STATUS_AGAIN) return G_SOURCE_CONTINUE;
  stdin_closed = TRUE;
  if (!local_done) finish(2, "stdin closed before done");
  else maybe_exit();
  return G_SOURCE_REMOVE;
}

static gboolean on_timeout(gpointer data) {
  (void)data;
  finish(2, "timeout");
  return G_SOURCE_REMOVE;
}

static const char *stun_host = NULL;
static guint stun_port = 3478;

/* TURN (nice_agent_set_relay_info) and relay-only (the force-relay property). */
static const char *turn_server = NULL, *turn_user = NULL, *turn_pass = NULL;
static gboolean turn_tcp = FALSE, relay_only = FALSE;

static gboolean set_turn(void) {
  if (turn_server == NULL) return TRUE;
  char host[64];
  const char *colon = strrchr(turn_server, ':');
  if (colon == NULL || (size_t)(colon - turn_server) >= sizeof host || turn_user == NULL || turn_pass == NULL) return FALSE;
  memcpy(host, turn_server, colon - turn_server);
  host[colon - turn_server] = 0;
  return nice_agent_set_relay_info(agent, stream_id, 1, host, (guint)atoi(colon + 1), turn_user, turn_pass,
                                   turn_tcp ? NICE_RELAY_TYPE_TURN_TCP : NICE_RELAY_TYPE_TURN_UDP);
}

static int usage(void) {
  fprintf(stderr, "usage: nice-peer --controlling|--controlled [--udp on|off] [--tcp on|off] [--bind ADDR]"
                  " [--echo] [--send N] [--chunk B] [--timeout S] [--stun IPV4 [--stun-port P]]"
                  " [--turn IP:PORT --turn-user U --turn-pass P [--turn-transport udp|tcp]] [--relay-only]\n");
  return 64;
}

int main(int argc, char **argv) {
  gboolean role_set = FALSE;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--controlling")) { controlling = TRUE; role_set = TRUE; }
    else if (!strcmp(a, "--controlled")) { controlling = FALSE; role_set = TRUE; }
    else if (!strcmp(a, "--echo")) echo_mode = TRUE;
    else if (!strcmp(a, "--udp") && v) { use_udp = !strcmp(v, "on"); i++; }
    else if (!strcmp(a, "--tcp") && v) { use_tcp = !strcmp(v, "on"); i++; }
    else if (!strcmp(a, "--bind") && v) { bind_addr = v; i++; }
    else if (!strcmp(a, "--send") && v) { send_total = g_ascii_strtoull(v, NULL, 10); i++; }
    else if (!strcmp(a, "--chunk") && v) { send_chunk = g_ascii_strtoull(v, NULL, 10); i++; }
    else if (!strcmp(a, "--timeout") && v) { timeout_s = (guint)g_ascii_strtoull(v, NULL, 10); i++; }
    else if (!strcmp(a, "--turn") && v) { turn_server = v; i++; }
    else if (!strcmp(a, "--turn-user") && v) { turn_user = v; i++; }
    else if (!strcmp(a, "--turn-pass") && v) { turn_pass = v; i++; }
    else if (!strcmp(a, "--turn-transport") && v) { turn_tcp = !strcmp(v, "tcp"); i++; }
    else if (!strcmp(a, "--relay-only")) relay_only = TRUE;
    else if (!strcmp(a, "--stun") && v) { stun_host = v; i++; }
    else if (!strcmp(a, "--stun-port") && v) { stun_port = (guint)g_ascii_strtoull(v, NULL, 10); i++; }
    else return usage();
  }
  if (!role_set || send_chunk < 9 || send_chunk > 65535 || (!use_udp && !use_tcp)) return usage();

  loop = g_main_loop_new(NULL, FALSE);
  agent = nice_agent_new_full(g_main_loop_get_context(loop), NICE_COMPATIBILITY_RFC5245,
                              NICE_AGENT_OPTION_REGULAR_NOMINATION);
  g_object_set(agent, "ice-udp", use_udp, "ice-tcp", use_tcp, "controlling-mode", controlling, "upnp", FALSE, NULL);
  if (relay_only) g_object_set(agent, "force-relay", TRUE, NULL);
  /* libnice's server-reflexive discovery (UDP): an IPv4 address, port 3478 unless --stun-port */
  if (stun_host) g_object_set(agent, "stun-server", stun_host, "stun-server-port", stun_port, NULL);
  NiceAddress addr;
  if (!nice_address_set_from_string(&addr, bind_addr)) {
    fprintf(stderr, "nice-peer: bad --bind address %s\n", bind_addr);
    return 64;
  }
  nice_agent_add_local_address(agent, &addr);
  g_signal_connect(agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), NULL);
  g_signal_connect(agent, "component-state-changed", G_CALLBACK(on_state), NULL);
  stream_id = nice_agent_add_stream(agent, 1);
  nice_agent_attach_recv(agent, stream_id, 1, g_main_loop_get_context(loop), on_recv, NULL);
  if (!set_turn()) {
    fprintf(stderr, "nice-peer: bad --turn/--turn-user/--turn-pass\n");
    return 64;
  }
  if (!nice_agent_gather_candidates(agent, stream_id)) {
    fprintf(stderr, "nice-peer: gathering failed\n");
    return 1;
  }

  GIOChannel *in = g_io_channel_unix_new(STDIN_FILENO);
  g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
  g_timeout_add_seconds(timeout_s, on_timeout, NULL);

  g_main_loop_run(loop);

  if (exit_code == 0) out("result ok");
  else out("result fail %s", fail_reason ? fail_reason : "error");
  g_object_unref(agent);
  return exit_code;
}
