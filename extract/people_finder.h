// Participants of an article: people the gazetteer knows (confidence 1; a hit must be written
// as a name, so the Italian "modi" is not Narendra Modi), then people it does not know,
// recognised in several languages by a title before the name (0.6; its country from an
// apposition such as "Finnish President") or a reporting verb next to it (0.4), or by their
// form alone (0.3): a listed given name with a surname ("Dmitry Kiselyov"). See name_patterns.h for
// what counts as a name.
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// How much weight the participants carry, for relevance (event_extractor.h).
struct ParticipantWeight {
  double heads = 0;   // participants who head a state or government
  double others = 0;  // other participants
};

// Adds at most kMaxParticipants participants to `event`: gazetteer people in order of first
// mention, then unknown names (after a title, next to a reporting verb, after a given name), each
// in order of appearance. Linear in the article's length.
ParticipantWeight AddParticipants(const Gazetteer& gazetteer, const ArticleText& text,
                                  summit_alerts::v1::Event& event);

// Whether a gazetteer role heads a state or government ("President of Russia"; not "Former …"
// or "Vice …").
bool IsHeadOfStateOrGovernment(const std::string& role);

}  // namespace sa::extract
