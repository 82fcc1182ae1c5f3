"""The shipped Prometheus configuration and alerting rules, pointed at live test processes.

Usage: live_config.py SHIPPED_PROMETHEUS_YML SHIPPED_RULES_YML OUT_DIR TARGET[,TARGET...]

Only what a test cannot use is changed: the scrape targets (static loopback ports instead of
Docker's DNS), one-second scrape and evaluation intervals, the rules file's path, and every
rule's `for:` shortened to two seconds so an alert fires within the test. Everything else,
every expression included, is the shipped text.
"""
import sys

import yaml

config_path, rules_path, out_dir, targets = sys.argv[1:5]
with open(config_path) as file:
    config = yaml.safe_load(file)
with open(rules_path) as file:
    rules = yaml.safe_load(file)

for group in rules["groups"]:
    group["interval"] = "1s"
    for rule in group["rules"]:
        if "for" in rule:
            rule["for"] = "2s"
with open(out_dir + "/rules.yml", "w") as file:
    yaml.safe_dump(rules, file, sort_keys=False)

jobs = config["scrape_configs"]
assert len(jobs) == 1 and "dns_sd_configs" in jobs[0], "the shipped file scrapes one job by DNS"
config["global"]["scrape_interval"] = "1s"
config["global"]["evaluation_interval"] = "1s"
config["rule_files"] = [out_dir + "/rules.yml"]
del jobs[0]["dns_sd_configs"]
jobs[0]["static_configs"] = [{"targets": targets.split(",")}]
with open(out_dir + "/prometheus.yml", "w") as file:
    yaml.safe_dump(config, file, sort_keys=False)
