//! Notifications: placeholder.
