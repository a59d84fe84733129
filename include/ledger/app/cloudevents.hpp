#pragma once
// The ledger's exchange format: CloudEvents 1.0, structured JSON mode, one event a line.
//
// Core attributes: specversion "1.0", id (the event id), source "recruit-ledger", type,
// subject (the stream), time (occurred_at), datacontenttype "application/json", data.
// Extension attributes (lower-case, as CloudEvents requires): position, stream, version,
// schemaversion, recordedtime, actor, hash, metadata (the metadata object as JSON text),
// correlationid and causationid when present.

#include "ledger/envelope.hpp"
#include "ledger/error.hpp"
#include "ledger/store/append.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace ledger::app {

/// A stored event as a CloudEvent. Throws codec_error if its data does not decode.
boost::json::object to_cloudevent(recorded_event const& event);

/// What a CloudEvent asks to append: its stream, who recorded it and when, and the event.
struct imported_event {
    std::string stream;
    std::string actor;
    std::optional<timestamp> recorded_at;
    store::event_to_append event;
};

/// Validates a CloudEvent (the envelope and, through the catalogue, its data) and turns it into
/// an event to append. Errors are invalid_event / unknown_event_type / invalid_stream_name with
/// details.field naming the attribute; `index` goes into details.index.
result<imported_event> from_cloudevent(boost::json::value const& cloudevent, std::size_t index);

}  // namespace ledger::app
