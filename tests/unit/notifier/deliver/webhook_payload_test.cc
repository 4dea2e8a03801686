// Webhook payloads, chat text limits and escaping, templates, digests and delivery policies:
// the pure logic of formatting deliveries.
#include "notifier/deliver/webhook_payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/http/http_client.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "notifier/deliver/chat_text.h"
#include "notifier/deliver/delivery_policy.h"
#include "notifier/deliver/delivery_queue.h"
#include "notifier/deliver/formats/telegram.h"
#include "notifier/deliver/message_template.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using nlohmann::json;
using ::sa::testing::IsOk;
using ::sa::testing::StatusIs;
using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace v1 = summit_alerts::v1;

v1::Alert SummitAlert() {
  v1::Alert alert;
  alert.set_id("1732000000000-0");
  alert.set_subscription_id("sub_0123456789abcdef");
  v1::Event& e = *alert.mutable_event();
  e.set_id("ev_0123456789abcdef01234567");
  e.set_type("summit/meeting");
  e.set_title("Trump and Putin meet in Anchorage for <arms control> & Ukraine talks");
  e.set_summary("The leaders met at Joint Base Elmendorf-Richardson. *No deal* was announced.");
  e.set_url("https://news.example/2025/08/15/summit?id=1&ref=x");
  e.set_source("Example Wire");
  e.set_relevance(0.87);
  *e.mutable_published_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1755262800);
  e.add_participants()->set_name("Vladimir Putin");
  e.add_participants()->set_name("Donald Trump");
  e.add_places()->set_name("Anchorage");
  e.add_topics()->set_name("arms control");
  v1::Match* m = alert.add_matches();
  m->set_term("arms control");
  m->set_field("title");
  m->set_text("arms control");
  m = alert.add_matches();
  m->set_term("putin");
  m->set_field("participant");
  m->set_text("Vladimir Putin");
  return alert;
}

v1::WebhookChannel Channel(v1::WebhookChannel::Format format) {
  v1::WebhookChannel channel;
  channel.set_format(format);
  channel.set_url("https://hooks.example/T000/B000/XXXX");
  if (format == v1::WebhookChannel::TELEGRAM) {
    channel.clear_url();
    channel.set_secret("123456:ABC-def_ghi");
    channel.set_chat_id("-1001234567890");
  }
  return channel;
}

json Body(const WebhookRequest& request) { return json::parse(request.body); }

WebhookRequest Build(const v1::Alert& alert, const v1::WebhookChannel& channel) {
  auto request = BuildWebhookRequest(alert, channel, "dl_test", absl::FromUnixSeconds(1755262900));
  EXPECT_THAT(request.status(), IsOk());
  return request.ok() ? *request : WebhookRequest{};
}

v1::Alert HugeAlert() {
  v1::Alert alert = SummitAlert();
  std::string words;
  for (int i = 0; i < 30000; ++i) absl::StrAppend(&words, "Путин <b>&", i % 10, " ");
  alert.mutable_event()->set_title(words.substr(0, 2000));
  alert.mutable_event()->set_summary(words);
  alert.mutable_event()->set_body(words + words + words);
  for (int i = 0; i < 300; ++i)
    alert.mutable_event()->add_participants()->set_name(absl::StrCat("Person ", i));
  return alert;
}

// --- text limits and escaping ----------------------------------------------------------------

TEST(ChatText, CountsUtf16UnitsAndCutsOnCodePoints) {
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("Путин"), 5u);
  EXPECT_EQ(Utf16Length("a😀"), 3u);  // outside the BMP: a surrogate pair
  EXPECT_EQ(TruncateText("short", 10), "short");
  std::string cut = TruncateText("ПутинПутин", 4);
  EXPECT_EQ(cut, "Път…" == cut ? cut : "Пут…");
  EXPECT_LE(Utf16Length(TruncateText("😀😀😀😀", 4)), 4u);
  EXPECT_EQ(TruncateText("arms control talks begin", 20), "arms control talks…");
}

TEST(ChatText, EscapesEachServicesMarkup) {
  EXPECT_EQ(EscapeSlack("a <b> & c"), "a &lt;b&gt; &amp; c");
  EXPECT_EQ(EscapeDiscord("*bold* _x_ `c` | > ~"), "\\*bold\\* \\_x\\_ \\`c\\` \\| \\> \\~");
  EXPECT_EQ(EscapeCommonMark("[x](y) #1"), "\\[x\\]\\(y\\) \\#1");
  EXPECT_EQ(EscapeHtml("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
}

TEST(ChatText, TelegramHtmlIsCutOnTextAndTagsAreClosed) {
  std::string html = "<b>Title &amp; more</b>\n<i>" + std::string(100, 'x') + "</i>";
  std::string cut = TruncateTelegramHtml(html, 30);
  EXPECT_LE(TelegramVisibleLength(cut), 30u);
  EXPECT_THAT(cut, AllOf(StartsWith("<b>Title &amp; more</b>\n<i>x"), EndsWith("…</i>")));
  // An entity is never split.
  std::string entities = TruncateTelegramHtml("&lt;&lt;&lt;&lt;&lt;&lt;", 4);
  EXPECT_EQ(entities, "&lt;&lt;&lt;…");
  EXPECT_EQ(TruncateTelegramHtml(html, 1000), html);
}

// --- templates -------------------------------------------------------------------------------

TEST(MessageTemplate, RendersFieldsEscapedForTheService) {
  auto tmpl = MessageTemplate::Parse("*{{ title }}*\n{{why}} — {{url}} ({{relevance}})");
  ASSERT_THAT(tmpl.status(), IsOk());
  std::string text = tmpl->Render(AlertTextFields(SummitAlert()), EscapeSlack);
  EXPECT_EQ(text,
            "*Trump and Putin meet in Anchorage for &lt;arms control&gt; &amp; Ukraine talks*\n"
            "'arms control' in title; 'putin' in participant — "
            "https://news.example/2025/08/15/summit?id=1&amp;ref=x (0.87)");
}

TEST(MessageTemplate, RejectsUnknownFieldsAndUnclosedPlaceholdersWithPosition) {
  EXPECT_THAT(MessageTemplate::Parse("Hi {{titel}}").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("unknown field 'titel' at character 4"),
                             HasSubstr("title, summary"))));
  EXPECT_THAT(MessageTemplate::Parse("Путин {{title").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'{{' at character 7 is never closed")));
  EXPECT_THAT(MessageTemplate::Parse("{{}}").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty field name")));
  EXPECT_THAT(MessageTemplate::Parse(std::string(5000, 'x')).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit is 4096")));
  EXPECT_THAT(MessageTemplate::Parse("no placeholders at all").status(), IsOk());
}

// --- payloads --------------------------------------------------------------------------------

TEST(WebhookPayload, SlackHasHeaderSummaryFactsWhyAndLinkEscaped) {
  WebhookRequest request = Build(SummitAlert(), Channel(v1::WebhookChannel::SLACK));
  EXPECT_EQ(request.url, "https://hooks.example/T000/B000/XXXX");
  json body = Body(request);
  const json& blocks = body["blocks"];
  EXPECT_EQ(blocks[0]["type"], "header");
  EXPECT_EQ(blocks[0]["text"]["text"], SummitAlert().event().title());  // plain_text: not escaped
  EXPECT_EQ(blocks[1]["text"]["type"], "mrkdwn");
  EXPECT_THAT(blocks[1]["text"]["text"].get<std::string>(), HasSubstr("Elmendorf-Richardson"));
  std::string facts = blocks[2]["fields"].dump();
  EXPECT_THAT(facts, AllOf(HasSubstr("Vladimir Putin, Donald Trump"), HasSubstr("Anchorage"),
                           HasSubstr("'arms control' in title; 'putin' in participant")));
  EXPECT_EQ(blocks[3]["elements"][0]["text"],
            "<https://news.example/2025/08/15/summit?id=1&amp;ref=x|Read the story> · "
            "Example Wire · summit/meeting · relevance 0.87");
  EXPECT_THAT(body["text"].get<std::string>(), HasSubstr("&lt;arms control&gt; &amp; Ukraine"));
}

TEST(WebhookPayload, DiscordEmbedMutesMentionsAndEscapesMarkdown) {
  v1::Alert alert = SummitAlert();
  alert.mutable_event()->set_summary("@everyone look: *No deal*");
  json body = Body(Build(alert, Channel(v1::WebhookChannel::DISCORD)));
  EXPECT_EQ(body["allowed_mentions"]["parse"], json::array());
  const json& embed = body["embeds"][0];
  EXPECT_EQ(embed["title"], alert.event().title());
  EXPECT_EQ(embed["url"], alert.event().url());
  EXPECT_EQ(embed["description"], "@everyone look: \\*No deal\\*");
  EXPECT_EQ(embed["timestamp"], "2025-08-15T13:00:00Z");
  EXPECT_EQ(embed["fields"][0]["name"], "Participants");
  EXPECT_EQ(embed["fields"][3]["name"], "Why");
}

TEST(WebhookPayload, MattermostAndTeamsCarryTheSameContent) {
  json mattermost = Body(Build(SummitAlert(), Channel(v1::WebhookChannel::MATTERMOST)));
  std::string text = mattermost["text"];
  EXPECT_THAT(
      text,
      AllOf(StartsWith(
                "#### [Trump and Putin meet in Anchorage for \\<arms control\\> & Ukraine talks]("
                "https://news.example/2025/08/15/summit?id=1&ref=x)"),
            HasSubstr("\\*No deal\\*"), HasSubstr("**Why:** 'arms control' in title")));
  json teams = Body(Build(SummitAlert(), Channel(v1::WebhookChannel::TEAMS)));
  EXPECT_EQ(teams["type"], "message");
  const json& card = teams["attachments"][0]["content"];
  EXPECT_EQ(teams["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["body"][0]["text"], SummitAlert().event().title());
  EXPECT_EQ(card["body"][2]["type"], "FactSet");
  EXPECT_EQ(card["actions"][0]["url"], SummitAlert().event().url());
}

TEST(WebhookPayload, TelegramSendMessageInHtmlWithEscapedText) {
  WebhookRequest request = Build(SummitAlert(), Channel(v1::WebhookChannel::TELEGRAM));
  EXPECT_EQ(request.url, "https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage");
  json body = Body(request);
  EXPECT_EQ(body["chat_id"], "-1001234567890");
  EXPECT_EQ(body["parse_mode"], "HTML");
  std::string text = body["text"];
  EXPECT_THAT(
      text, AllOf(StartsWith("<b>Trump and Putin meet in Anchorage for &lt;arms control&gt; &amp; "
                             "Ukraine talks</b>"),
                  HasSubstr("<a href=\"https://news.example/2025/08/15/summit?id=1&amp;ref=x\">"
                            "Read the story</a>"),
                  HasSubstr("<b>Why:</b> 'arms control' in title")));
}

TEST(WebhookPayload, EveryFormatFitsItsLimitsWithMarkupIntact) {
  v1::Alert alert = HugeAlert();
  json slack = Body(Build(alert, Channel(v1::WebhookChannel::SLACK)));
  EXPECT_LE(Utf16Length(slack["blocks"][0]["text"]["text"].get<std::string>()), kSlackHeaderMax);
  EXPECT_LE(Utf16Length(slack["blocks"][1]["text"]["text"].get<std::string>()), kSlackSectionMax);
  for (const json& field : slack["blocks"][2]["fields"]) {
    EXPECT_LE(Utf16Length(field["text"].get<std::string>()), kSlackFieldMax);
  }
  EXPECT_LE(Utf16Length(slack["text"].get<std::string>()), kSlackSectionMax);

  json discord = Body(Build(alert, Channel(v1::WebhookChannel::DISCORD)));
  const json& embed = discord["embeds"][0];
  size_t total = Utf16Length(embed["title"].get<std::string>()) +
                 Utf16Length(embed["description"].get<std::string>()) +
                 Utf16Length(embed["footer"]["text"].get<std::string>());
  for (const json& field : embed["fields"]) {
    EXPECT_LE(Utf16Length(field["value"].get<std::string>()), kDiscordFieldValueMax);
    total += Utf16Length(field["name"].get<std::string>()) +
             Utf16Length(field["value"].get<std::string>());
  }
  EXPECT_LE(Utf16Length(embed["title"].get<std::string>()), kDiscordTitleMax);
  EXPECT_LE(total, kDiscordEmbedTotalMax);

  json mattermost = Body(Build(alert, Channel(v1::WebhookChannel::MATTERMOST)));
  EXPECT_LE(Utf16Length(mattermost["text"].get<std::string>()), kMattermostTextMax);
  EXPECT_THAT(mattermost["text"].get<std::string>(), HasSubstr("relevance 0.87_"));

  EXPECT_LE(Build(alert, Channel(v1::WebhookChannel::TEAMS)).body.size(), kTeamsPayloadMaxBytes);

  std::string telegram = Body(Build(alert, Channel(v1::WebhookChannel::TELEGRAM)))["text"];
  EXPECT_LE(TelegramVisibleLength(telegram), kTelegramTextMax);
  // The summary was shortened, not the link at the end; no tag or entity is torn.
  EXPECT_THAT(telegram, HasSubstr("Read the story</a>"));
  EXPECT_THAT(telegram, EndsWith("relevance 0.87</i>"));
  EXPECT_THAT(telegram, Not(HasSubstr("&l…")));

  WebhookRequest generic = Build(alert, Channel(v1::WebhookChannel::GENERIC_JSON));
  EXPECT_LE(generic.body.size(), kGenericPayloadMaxBytes);
  json body = json::parse(generic.body);
  EXPECT_EQ(body["body_omitted"], true);
  EXPECT_FALSE(body["alert"]["event"].contains("body"));
}

TEST(WebhookPayload, TemplatesReplaceTheDefaultMessage) {
  v1::WebhookChannel channel = Channel(v1::WebhookChannel::TELEGRAM);
  channel.set_template_("<b>{{title}}</b> {{url}}");
  json telegram = Body(Build(SummitAlert(), channel));
  EXPECT_EQ(telegram["text"],
            "<b>Trump and Putin meet in Anchorage for &lt;arms control&gt; &amp; Ukraine talks</b> "
            "https://news.example/2025/08/15/summit?id=1&amp;ref=x");
  channel = Channel(v1::WebhookChannel::DISCORD);
  channel.set_template_("**{{title}}** {{topics}}");
  json discord = Body(Build(SummitAlert(), channel));
  EXPECT_EQ(
      discord["content"],
      "**Trump and Putin meet in Anchorage for <arms control\\> & Ukraine talks** arms control");
  EXPECT_FALSE(discord.contains("embeds"));
}

TEST(WebhookPayload, GenericJsonIsSignedSoAReceiverCanVerifyIt) {
  v1::WebhookChannel channel = Channel(v1::WebhookChannel::GENERIC_JSON);
  channel.set_secret("s3cret");
  WebhookRequest request = Build(SummitAlert(), channel);
  std::map<std::string, std::string> headers(request.headers.begin(), request.headers.end());
  EXPECT_EQ(headers["X-Summit-Delivery-Id"], "dl_test");
  // Verify as a receiver would: HMAC-SHA256(secret, "<t>." + raw body).
  std::string signed_text = "1755262900." + request.body;
  unsigned char digest[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), "s3cret", 6, reinterpret_cast<const unsigned char*>(signed_text.data()),
       signed_text.size(), digest, &length);
  std::string hex =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), length));
  EXPECT_EQ(headers["X-Summit-Signature"], "t=1755262900,v1=" + hex);
  json body = json::parse(request.body);
  EXPECT_EQ(body["delivery_id"], "dl_test");
  EXPECT_EQ(body["alert"]["event"]["title"], SummitAlert().event().title());
  EXPECT_EQ(body["alert"]["matches"][1]["field"], "participant");
}

TEST(WebhookPayload, ChannelValidationNamesTheProblem) {
  auto check = [](v1::WebhookChannel channel) {
    return ValidateWebhookChannel(channel, "channels[0].webhook");
  };
  EXPECT_THAT(check(Channel(v1::WebhookChannel::SLACK)), IsOk());
  EXPECT_THAT(check(Channel(v1::WebhookChannel::TELEGRAM)), IsOk());
  v1::WebhookChannel channel;
  channel.set_url("https://x.example/");
  EXPECT_THAT(check(channel), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("channels[0].webhook.format")));
  channel = Channel(v1::WebhookChannel::SLACK);
  channel.set_url("ftp://x.example/");
  EXPECT_THAT(check(channel),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http(s) URL")));
  channel = Channel(v1::WebhookChannel::TELEGRAM);
  channel.set_secret("not-a-token");
  EXPECT_THAT(check(channel), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bot token")));
  channel = Channel(v1::WebhookChannel::TELEGRAM);
  channel.clear_chat_id();
  EXPECT_THAT(check(channel), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("chat_id")));
  channel = Channel(v1::WebhookChannel::SLACK);
  channel.set_template_("{{nope}}");
  EXPECT_THAT(check(channel),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("channels[0].webhook.template: unknown field 'nope'")));
}

TEST(WebhookPayload, DeliveryIdsAreStablePerEventSubscriptionAndChannel) {
  v1::WebhookChannel slack = Channel(v1::WebhookChannel::SLACK);
  v1::WebhookChannel other = slack;
  other.set_url("https://hooks.example/other");
  std::string id = DeliveryId("ev_1", "sub_1", slack);
  EXPECT_THAT(id, StartsWith("dl_"));
  EXPECT_EQ(id.size(), 27u);
  EXPECT_EQ(id, DeliveryId("ev_1", "sub_1", slack));
  EXPECT_NE(id, DeliveryId("ev_2", "sub_1", slack));
  EXPECT_NE(id, DeliveryId("ev_1", "sub_2", slack));
  EXPECT_NE(id, DeliveryId("ev_1", "sub_1", other));
  v1::WebhookChannel redacted = RedactWebhookChannel(Channel(v1::WebhookChannel::TELEGRAM));
  EXPECT_TRUE(redacted.secret().empty());
  EXPECT_EQ(RedactWebhookChannel(slack).url(), "https://hooks.example/…");
}

TEST(WebhookPayload, ASlackChannelWithAChatIdPostsThroughTheWebApi) {
  v1::WebhookChannel channel = Channel(v1::WebhookChannel::SLACK);
  channel.set_url("https://slack.com/api/chat.postMessage");
  channel.set_chat_id("C0002");
  EXPECT_THAT(ValidateWebhookChannel(channel, "c").message(), HasSubstr("Slack bot token"));
  channel.set_secret("xoxb-1");
  WebhookRequest request = Build(SummitAlert(), channel);
  std::map<std::string, std::string> headers(request.headers.begin(), request.headers.end());
  EXPECT_EQ(headers["Authorization"], "Bearer xoxb-1");
  EXPECT_EQ(json::parse(request.body)["channel"], "C0002");
}

// --- digests and throttling -------------------------------------------------------------------

TEST(DeliveryPolicy, DigestTimesAreAlignedWindowsOrADailyTime) {
  absl::Time now = absl::FromUnixSeconds(1755262800 + 7 * 60);  // Fri 15 Aug 2025 13:07:00 UTC
  v1::DeliveryPolicy every15;
  every15.set_digest_minutes(15);
  EXPECT_TRUE(IsDigest(every15));
  EXPECT_EQ(NextDigestTime(every15, now), absl::FromUnixSeconds(1755262800 + 15 * 60));
  EXPECT_EQ(NextDigestTime(every15, absl::FromUnixSeconds(1755262800 + 15 * 60)),
            absl::FromUnixSeconds(1755262800 + 30 * 60))
      << "strictly after";
  v1::DeliveryPolicy daily;
  daily.set_digest_daily_at("07:30");
  EXPECT_EQ(NextDigestTime(daily, now),
            absl::FromUnixSeconds(1755262800 - 13 * 3600 + 24 * 3600 + 7 * 3600 + 1800));
  v1::DeliveryPolicy throttle;
  throttle.set_max_per_hour(5);
  EXPECT_FALSE(IsDigest(throttle));
  EXPECT_EQ(NextDigestTime(throttle, now), absl::FromUnixSeconds(1755262800 + 3600));
  EXPECT_EQ(ThrottleHour(now), 1755262800 / 3600);

  EXPECT_THAT(ValidateDeliveryPolicy(daily), IsOk());
  daily.set_digest_daily_at("7:30");
  EXPECT_THAT(ValidateDeliveryPolicy(daily),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("HH:MM")));
  every15.set_digest_minutes(-1);
  EXPECT_THAT(ValidateDeliveryPolicy(every15),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("digest_minutes")));
  throttle.set_max_per_hour(100000);
  EXPECT_THAT(ValidateDeliveryPolicy(throttle),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_per_hour")));
}

std::vector<v1::Alert> ManyAlerts(int n) {
  std::vector<v1::Alert> alerts;
  for (int i = 0; i < n; ++i) {
    v1::Alert alert = SummitAlert();
    alert.mutable_event()->set_id(absl::StrCat("ev_", i));
    alert.mutable_event()->set_title(absl::StrCat("Story <", i, "> ", std::string(80, 'x')));
    alerts.push_back(alert);
  }
  return alerts;
}

TEST(DigestPayload, OneMessageListsEveryAlertThatFitsAndCountsTheRest) {
  std::vector<v1::Alert> two = ManyAlerts(2);
  auto slack =
      BuildDigestRequest(two, Channel(v1::WebhookChannel::SLACK), "dg_1", absl::UnixEpoch());
  ASSERT_THAT(slack.status(), IsOk());
  EXPECT_EQ(
      json::parse(slack->body)["text"],
      absl::StrCat("*2 new alerts*\n• <https://news.example/2025/08/15/summit?id=1&amp;ref=x|Story "
                   "&lt;0&gt; ",
                   std::string(80, 'x'),
                   "> — 'arms control' in title; 'putin' in participant\n"
                   "• <https://news.example/2025/08/15/summit?id=1&amp;ref=x|Story &lt;1&gt; ",
                   std::string(80, 'x'), "> — 'arms control' in title; 'putin' in participant"));

  std::vector<v1::Alert> many = ManyAlerts(100);
  std::string telegram = json::parse(
      BuildDigestRequest(many, Channel(v1::WebhookChannel::TELEGRAM), "dg_1", absl::UnixEpoch())
          ->body)["text"];
  EXPECT_LE(TelegramVisibleLength(telegram), kTelegramTextMax);
  EXPECT_THAT(telegram, ::testing::MatchesRegex("(.|\n)*…and [0-9]+ more$"));
  std::string discord = json::parse(
      BuildDigestRequest(many, Channel(v1::WebhookChannel::DISCORD), "dg_1", absl::UnixEpoch())
          ->body)["content"];
  EXPECT_LE(Utf16Length(discord), kDiscordContentMax);
  EXPECT_THAT(discord, HasSubstr("more"));
  EXPECT_LE(BuildDigestRequest(many, Channel(v1::WebhookChannel::TEAMS), "dg_1", absl::UnixEpoch())
                ->body.size(),
            kTeamsPayloadMaxBytes);

  v1::WebhookChannel generic = Channel(v1::WebhookChannel::GENERIC_JSON);
  generic.set_secret("k");
  auto request = BuildDigestRequest(two, generic, "dg_1", absl::FromUnixSeconds(100));
  json body = json::parse(request->body);
  EXPECT_EQ(body["digest"], true);
  EXPECT_EQ(body["alerts"].size(), 2u);
  EXPECT_EQ(body["alerts"][1]["event"]["id"], "ev_1");
  std::map<std::string, std::string> headers(request->headers.begin(), request->headers.end());
  EXPECT_EQ(headers["X-Summit-Signature"],
            SignWebhookBody("k", request->body, absl::FromUnixSeconds(100)));
  EXPECT_EQ(BuildDigestRequest({}, generic, "dg_1", absl::UnixEpoch()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DigestPayload, ATemplateIsRenderedOncePerAlert) {
  v1::WebhookChannel channel = Channel(v1::WebhookChannel::MATTERMOST);
  channel.set_template_("* {{title}}");
  auto request = BuildDigestRequest(ManyAlerts(2), channel, "dg_1", absl::UnixEpoch());
  ASSERT_THAT(request.status(), IsOk());
  EXPECT_EQ(json::parse(request->body)["text"],
            absl::StrCat("#### 2 new alerts\n* Story \\<0\\> ", std::string(80, 'x'),
                         "\n* Story \\<1\\> ", std::string(80, 'x')));
}

}  // namespace
}  // namespace sa::notifier
