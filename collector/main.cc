// collector: ingests news articles, extracts structured events, publishes them to Redis.
#include "collector/collector_app.h"
#include "collector/collector_config.h"
#include "common/config/service_flags.h"

int main(int argc, char** argv) {
  return sa::config::ServiceMain<sa::collector::CollectorConfig>(
      argc, argv, "collector", sa::collector::CollectorFlagNames(),
      "turns news articles into structured events on a Redis Stream.\n"
      "Every flag can also be set by the environment variable named in its help.",
      sa::collector::CollectorConfigFromFlags, sa::collector::RunCollector);
}
