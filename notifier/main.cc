// notifier: matches events from the Redis Stream against subscriptions and delivers alerts.
#include "common/config/service_flags.h"
#include "notifier/notifier_app.h"
#include "notifier/notifier_config.h"

int main(int argc, char** argv) {
  return sa::config::ServiceMain<sa::notifier::NotifierConfig>(
      argc, argv, "notifier", sa::notifier::NotifierFlagNames(),
      "matches events against subscriptions and streams alerts.\n"
      "Every flag can also be set by the environment variable named in its help.",
      sa::notifier::NotifierConfigFromFlags, sa::notifier::RunNotifier);
}
