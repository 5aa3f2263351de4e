//! Binding a Thai mobile number to a proven identity: the numbers, the one-time codes that prove
//! the person holds one, the limits on sending and guessing them, and the gateways that send them.
