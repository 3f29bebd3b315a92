#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_framing.h>

/* Method ids and flags that Swift cannot import from their casting macros. */
static const amqp_method_number_t choreo_amqp_channel_close_method = AMQP_CHANNEL_CLOSE_METHOD;
static const amqp_method_number_t choreo_amqp_connection_close_method = AMQP_CONNECTION_CLOSE_METHOD;
static const amqp_method_number_t choreo_amqp_basic_ack_method = AMQP_BASIC_ACK_METHOD;
static const amqp_method_number_t choreo_amqp_basic_nack_method = AMQP_BASIC_NACK_METHOD;
static const amqp_method_number_t choreo_amqp_basic_return_method = AMQP_BASIC_RETURN_METHOD;
static const amqp_method_number_t choreo_amqp_basic_get_ok_method = AMQP_BASIC_GET_OK_METHOD;
static const amqp_method_number_t choreo_amqp_basic_get_empty_method = AMQP_BASIC_GET_EMPTY_METHOD;
static const amqp_method_number_t choreo_amqp_channel_close_ok_method = AMQP_CHANNEL_CLOSE_OK_METHOD;
static const amqp_method_number_t choreo_amqp_connection_close_ok_method = AMQP_CONNECTION_CLOSE_OK_METHOD;
static const amqp_flags_t choreo_amqp_basic_content_type_flag = AMQP_BASIC_CONTENT_TYPE_FLAG;
static const amqp_flags_t choreo_amqp_basic_headers_flag = AMQP_BASIC_HEADERS_FLAG;
static const amqp_flags_t choreo_amqp_basic_delivery_mode_flag = AMQP_BASIC_DELIVERY_MODE_FLAG;
static const amqp_flags_t choreo_amqp_basic_correlation_id_flag = AMQP_BASIC_CORRELATION_ID_FLAG;
static const amqp_flags_t choreo_amqp_basic_message_id_flag = AMQP_BASIC_MESSAGE_ID_FLAG;
static const amqp_flags_t choreo_amqp_basic_timestamp_flag = AMQP_BASIC_TIMESTAMP_FLAG;
static const amqp_flags_t choreo_amqp_basic_type_flag = AMQP_BASIC_TYPE_FLAG;
static const amqp_flags_t choreo_amqp_basic_app_id_flag = AMQP_BASIC_APP_ID_FLAG;
static const int choreo_amqp_replied_404 = AMQP_NOT_FOUND;

/* amqp_login is variadic, which Swift cannot call: PLAIN login with a user and a password. */
static inline amqp_rpc_reply_t choreo_amqp_login_plain(amqp_connection_state_t state, char const *vhost, int frame_max,
                                                       int heartbeat, char const *user, char const *password) {
    return amqp_login(state, vhost, 0, frame_max, heartbeat, AMQP_SASL_METHOD_PLAIN, user, password);
}
