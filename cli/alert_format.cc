#include "cli/alert_format.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace sa::cli {

std::string FormatAlert(const summit_alerts::v1::Alert& alert) {
  const auto& e = alert.event();
  std::string out = absl::StrCat("ALERT ", alert.id(), "  subscription ", alert.subscription_id(),
                                 "  event ", e.id(), "\n");
  absl::StrAppend(&out, "  ", e.title(), "\n");
  absl::StrAppendFormat(&out, "  type: %s   relevance: %.2f", e.type(), e.relevance());
  if (!e.source().empty()) absl::StrAppend(&out, "   source: ", e.source());
  out += "\n";
  if (e.participants_size() > 0) {
    absl::StrAppend(
        &out, "  participants: ",
        absl::StrJoin(e.participants(), "; ",
                      [](std::string* o, const auto& p) {
                        std::vector<std::string> about;
                        if (!p.role().empty()) about.push_back(p.role());
                        if (!p.country().empty()) about.push_back(p.country());
                        if (p.confidence() > 0 && p.confidence() < 1) {
                          about.push_back(absl::StrFormat("confidence %.1f", p.confidence()));
                        }
                        absl::StrAppend(o, p.name());
                        if (!about.empty())
                          absl::StrAppend(o, " (", absl::StrJoin(about, ", "), ")");
                      }),
        "\n");
  }
  if (e.places_size() > 0) {
    absl::StrAppend(&out, "  places: ",
                    absl::StrJoin(e.places(), "; ",
                                  [](std::string* o, const auto& p) {
                                    absl::StrAppend(o, p.name());
                                    if (!p.region().empty() && p.region() != p.name())
                                      absl::StrAppend(o, ", ", p.region());
                                    if (!p.country().empty()) absl::StrAppend(o, ", ", p.country());
                                  }),
                    "\n");
  }
  if (e.organisations_size() > 0) {
    absl::StrAppend(
        &out, "  organisations: ",
        absl::StrJoin(e.organisations(), "; ",
                      [](std::string* o, const auto& org) { absl::StrAppend(o, org.name()); }),
        "\n");
  }
  if (e.has_event_time()) {
    absl::StrAppend(&out, "  when: ",
                    absl::FormatTime("%a %d %b %Y", absl::FromUnixSeconds(e.event_time().seconds()),
                                     absl::UTCTimeZone()));
    if (!e.event_time_evidence().text().empty()) {
      absl::StrAppend(&out, " (\"", e.event_time_evidence().text(), "\")");
    }
    out += "\n";
  }
  if (e.topics_size() > 0) {
    absl::StrAppend(&out, "  topics: ",
                    absl::StrJoin(e.topics(), ", ",
                                  [](std::string* o, const auto& t) {
                                    absl::StrAppendFormat(o, "%s %.2f", t.name(), t.score());
                                  }),
                    "\n");
  }
  absl::StrAppend(&out, FormatWhy(alert.matches()));
  if (!e.summary().empty()) absl::StrAppend(&out, "  summary: ", e.summary(), "\n");
  if (!e.url().empty()) absl::StrAppend(&out, "  link: ", e.url(), "\n");
  return out;
}

std::string FormatWhy(const google::protobuf::RepeatedPtrField<summit_alerts::v1::Match>& matches) {
  // Group matches by term, in rule order.
  std::vector<std::string> terms;
  std::map<std::string, std::vector<std::string>> where;
  for (const auto& m : matches) {
    if (!where.count(m.term())) terms.push_back(m.term());
    where[m.term()].push_back(absl::StrCat(m.field(), " \"", m.text(), "\""));
  }
  if (terms.empty()) return "";
  std::string out = "  why: ";
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i > 0) out += "; ";
    absl::StrAppend(&out, "'", terms[i], "' in ", absl::StrJoin(where[terms[i]], ", "));
  }
  return out + "\n";
}

std::string FormatTestResult(const summit_alerts::v1::TestQueryResult& result) {
  std::string out = absl::StrCat(result.matched() ? "MATCH     " : "no match  ", result.event_id(),
                                 "  ", result.title(), "\n");
  if (!result.matched()) absl::StrAppend(&out, "  because: ", result.reason(), "\n");
  absl::StrAppend(&out, FormatWhy(result.matches()));
  return out;
}

std::string FormatSubscription(const summit_alerts::v1::Subscription& s) {
  std::string out = absl::StrCat(s.id(), "  query: ", s.query());
  if (!s.owner().empty()) absl::StrAppend(&out, "  owner: ", s.owner());
  if (!s.name().empty()) absl::StrAppend(&out, "  name: ", s.name());
  if (s.topics_size() > 0) absl::StrAppend(&out, "  topics: ", absl::StrJoin(s.topics(), ", "));
  if (s.min_relevance() > 0)
    absl::StrAppendFormat(&out, "  min_relevance: %.2f", s.min_relevance());
  std::vector<std::string> channels;
  for (const auto& channel : s.channels()) {
    if (channel.has_webhook()) {
      channels.push_back(absl::AsciiStrToLower(
          summit_alerts::v1::WebhookChannel::Format_Name(channel.webhook().format())));
    } else {
      channels.push_back("stream");
    }
  }
  if (!channels.empty()) absl::StrAppend(&out, "  channels: ", absl::StrJoin(channels, ", "));
  const auto& delivery = s.delivery();
  if (!delivery.digest_daily_at().empty()) {
    absl::StrAppend(&out, "  digest: daily at ", delivery.digest_daily_at(), " UTC");
  } else if (delivery.digest_minutes() > 0) {
    absl::StrAppend(&out, "  digest: every ", delivery.digest_minutes(), " min");
  } else if (delivery.max_per_hour() > 0) {
    absl::StrAppend(&out, "  max ", delivery.max_per_hour(), "/hour");
  }
  return out;
}

std::string FormatDeadLetter(const summit_alerts::v1::DeadLetter& dead) {
  const auto& e = dead.alert().event();
  std::string when = google::protobuf::util::TimeUtil::ToString(dead.failed_at());
  return absl::StrCat(
      "DEAD ", dead.id(), "  ", when, "  attempts: ", dead.attempts(), "\n",
      "  error: ", dead.error(), "\n", "  subscription ", dead.alert().subscription_id(),
      "  event ", e.id(), "  ", e.title(), "\n",
      "  channel: ", summit_alerts::v1::WebhookChannel::Format_Name(dead.channel().format()), " ",
      dead.channel().url(), "\n");
}

absl::StatusOr<std::vector<summit_alerts::v1::Channel>> ChannelsFromFlags(
    const ChannelFlags& flags) {
  using summit_alerts::v1::Channel;
  using summit_alerts::v1::WebhookChannel;
  std::vector<Channel> channels;
  auto add = [&](WebhookChannel::Format format, const std::string& url) -> WebhookChannel& {
    WebhookChannel& webhook = *channels.emplace_back().mutable_webhook();
    webhook.set_format(format);
    webhook.set_url(url);
    webhook.set_template_(flags.template_);
    return webhook;
  };
  for (const auto& url : flags.slack) add(WebhookChannel::SLACK, url);
  for (const auto& url : flags.discord) add(WebhookChannel::DISCORD, url);
  for (const auto& url : flags.mattermost) add(WebhookChannel::MATTERMOST, url);
  for (const auto& url : flags.teams) add(WebhookChannel::TEAMS, url);
  for (const auto& url : flags.webhook)
    add(WebhookChannel::GENERIC_JSON, url).set_secret(flags.secret);
  for (const auto& target : flags.telegram) {
    size_t at = target.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == target.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--telegram '", target,
                       "' must be BOT_TOKEN@CHAT_ID, e.g. 123456:ABC-DEF@-1001234567890"));
    }
    WebhookChannel& webhook = add(WebhookChannel::TELEGRAM, "");
    webhook.set_secret(target.substr(0, at));
    webhook.set_chat_id(target.substr(at + 1));
  }
  if (!channels.empty()) channels.emplace_back().mutable_grpc_stream();
  return channels;
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace sa::cli
