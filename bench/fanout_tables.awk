# fanout_tables.awk: the tables of bench/run, made from its raw lines. Each line is a label and
# the key=value line fanout printed:
#
#   teaparty proto=teaparty recv=100 send=4 ... deliv_per_s=2747150 ...
#   inspircd@crowd10000 proto=irc recv=100 send=4 ...    (beside 10 000 silent connections)
#   ngircd failed --receivers ...                          (the run did not complete)
#
# Runs with senders are fan-out runs; runs without are idle-memory runs. The servers, rows and
# idle counts are taken from the lines themselves, in the order they first appear, so a saved
# file can be tabled again (bench/run --table-from FILE).
#
# Ratios are paired: the k-th run of teaparty in a row is compared with the k-th run of the
# peer in that row (bench/run runs them back to back), and the table shows the median of those
# ratios. Load from other processes then hurts both sides of a ratio alike, where a ratio of
# medians could pair a quiet run with a loaded one.
#
# Variables: idle_conc (clients logging in at once in the idle runs, for the caption).

function median(list,    a, k, i, j, t) {
  k = split(list, a, " ")
  if (k == 0) return ""
  for (i = 1; i <= k; i++) a[i] += 0
  for (i = 2; i <= k; i++) {
    t = a[i]
    for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]
    a[j + 1] = t
  }
  return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function rate(x) {
  if (x == "") return "—"
  if (x >= 1e6) return sprintf("%.2f M", x / 1e6)
  if (x >= 1e3) return sprintf("%.0f k", x / 1e3)
  return sprintf("%.0f", x)
}
function ms(us) {
  if (us == "") return "—"
  return us >= 10000 ? sprintf("%.0f", us / 1000) : sprintf("%.1f", us / 1000)
}
function add(key, value) { vals[key] = (key in vals) ? vals[key] " " value : value }
function remember(list_name, item) {
  if ((list_name, item) in seen) return
  seen[list_name, item] = 1
  count[list_name]++
  order[list_name, count[list_name]] = item
}

{
  label = $1
  server = label
  crowd = 0
  if (label ~ /@crowd[0-9]*$/) {
    server = label
    sub(/@crowd[0-9]*$/, "", server)
    crowd = substr(label, index(label, "@crowd") + 6) + 0
    if (crowd == 0) crowd = -1  # a file from before the size was in the label
  }
  remember("servers", server)
  if ($2 == "failed") { failed[label]++; next }
  delete kv
  for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
  if (kv["gaps"] + kv["dead"] + kv["ooo"] > 0) broken[label]++
  # What the rest of the machine was doing meanwhile: busy cores not ours. (Interrupt time is
  # already in the two processes' CPU: loopback delivery runs in the sender's context.)
  others = kv["sys_busy_cores"] - kv["srv_cpu"] - kv["gen_cpu"]
  if (others < 0) others = 0
  if (kv["send"] == 0) {
    n = kv["recv"]
    remember("idle", n)
    rss[server, n] = (kv["srv_rss_end_kb"] - kv["srv_rss_idle_kb"]) * 1024 / n
    rss_total[server, n] = kv["srv_rss_end_kb"]
    login[server, n] = kv["login_s"]
    next
  }
  row = kv["recv"] SUBSEP kv["send"]
  if (crowd) {
    crowd_size = crowd
    crowd_row = row
    key = server SUBSEP "crowd"
  } else {
    remember("rows", row)
    key = server SUBSEP row
  }
  runs[key]++
  run_value[key, runs[key]] = kv["deliv_per_s"]
  add(key SUBSEP "deliv", kv["deliv_per_s"])
  add(key SUBSEP "p50", kv["lat_p50_us"])
  add(key SUBSEP "p99", kv["lat_p99_us"])
  add(key SUBSEP "srv", kv["srv_cpu"])
  add(key SUBSEP "gen", kv["gen_cpu"])
  add(row SUBSEP "others", others)
}

END {
  ns = count["servers"]
  for (i = 1; i <= ns; i++) sv[i] = order["servers", i]
  if (count["rows"] > 0) {
    printf "Delivered messages/s (median of the runs), p50 / p99 latency in ms, teaparty/peer as the\n"
    printf "median of paired runs, teaparty's and the generator's CPU, and the cores other processes\n"
    printf "took meanwhile (median).\n\n"
    printf "| N | S |"
    for (i = 1; i <= ns; i++) printf " %s msgs/s | %s p50 / p99 |", sv[i], sv[i]
    for (i = 2; i <= ns; i++) printf " %s / %s |", sv[1], sv[i]
    if (ns > 2) printf " %s / faster peer |", sv[1]
    printf " %s CPU / generator CPU | other load |\n|---:|---:|", sv[1]
    for (i = 1; i <= ns; i++) printf "---:|---:|"
    for (i = 2; i <= ns; i++) printf "---:|"
    if (ns > 2) printf "---:|"
    printf "---:|---:|\n"
    for (r = 1; r <= count["rows"]; r++) {
      row = order["rows", r]
      split(row, ns_pair, SUBSEP)
      printf "| %s | %s |", ns_pair[1], ns_pair[2]
      for (i = 1; i <= ns; i++) {
        key = sv[i] SUBSEP row
        printf " %s | %s / %s |", rate(median(vals[key SUBSEP "deliv"])),
          ms(median(vals[key SUBSEP "p50"])), ms(median(vals[key SUBSEP "p99"]))
      }
      first = sv[1] SUBSEP row
      for (i = 2; i <= ns; i++) {
        key = sv[i] SUBSEP row
        ratios = ""
        for (k = 1; k <= runs[first] && k <= runs[key]; k++)
          if (run_value[key, k] > 0)
            ratios = ratios " " run_value[first, k] / run_value[key, k]
        m = median(ratios)
        printf " %s |", m == "" ? "—" : sprintf("%.2f×", m)
      }
      if (ns > 2) {  # against whichever peer was faster in the same repeat
        ratios = ""
        for (k = 1; k <= runs[first]; k++) {
          best = 0
          for (i = 2; i <= ns; i++)
            if (run_value[sv[i] SUBSEP row, k] > best) best = run_value[sv[i] SUBSEP row, k]
          if (best > 0) ratios = ratios " " run_value[first, k] / best
        }
        m = median(ratios)
        printf " %s |", m == "" ? "—" : sprintf("%.2f×", m)
      }
      printf " %.2f / %.2f | %.2f |\n", median(vals[first SUBSEP "srv"]),
        median(vals[first SUBSEP "gen"]), median(vals[row SUBSEP "others"])
    }
  }
  if (crowd_size) {
    split(crowd_row, cr, SUBSEP)
    crowd_text = crowd_size > 0 ? crowd_size " silent connections" : "a crowd of silent connections"
    printf "\nThe row N = %s, S = %s alone and beside %s (median msgs/s; p99 ms).\n\n", cr[1], cr[2], crowd_text
    printf "| server | alone | beside %s | change |\n|---|---:|---:|---:|\n", crowd_text
    for (i = 1; i <= ns; i++) {
      alone_key = sv[i] SUBSEP crowd_row
      crowd_key = sv[i] SUBSEP "crowd"
      alone = median(vals[alone_key SUBSEP "deliv"])
      beside = median(vals[crowd_key SUBSEP "deliv"])
      printf "| %s | %s (p99 %s) | %s |", sv[i], rate(alone), ms(median(vals[alone_key SUBSEP "p99"])),
        beside == "" ? "— (could not open them)" : sprintf("%s (p99 %s)", rate(beside), ms(median(vals[crowd_key SUBSEP "p99"])))
      printf " %s |\n", (alone > 0 && beside != "") ? sprintf("%+.0f%%", (beside / alone - 1) * 100) : "—"
    }
  }
  if (count["idle"] > 0) {
    printf "\nRSS per idle logged-in connection (KiB): (server RSS 2 s after the last login − RSS of the\n"
    printf "freshly started server) / N, the clients logging in %s at a time.\n\n", idle_conc == "" ? "several" : idle_conc
    printf "| server |"
    for (a = 1; a <= count["idle"]; a++) printf " N = %s |", order["idle", a]
    printf "\n|---|"
    for (a = 1; a <= count["idle"]; a++) printf "---:|"
    printf "\n"
    for (i = 1; i <= ns; i++) {
      printf "| %s |", sv[i]
      for (a = 1; a <= count["idle"]; a++) {
        n = order["idle", a]
        if ((sv[i], n) in rss)
          printf " %.2f (RSS %.1f MiB, login %.1f s) |", rss[sv[i], n] / 1024,
            rss_total[sv[i], n] / 1024, login[sv[i], n]
        else
          printf " — |"
      }
      printf "\n"
    }
  }
  for (label in failed) printf "\n%s: %d run(s) failed (see the raw lines)\n", label, failed[label]
  for (label in broken) printf "\n%s: %d run(s) lost, reordered or dropped lines\n", label, broken[label]
}
