# Ringside's words in English: the reference every other language matches (same ids, same
# placeholders; crates/i18n/tests/catalogues.rs checks it). Read by the desktop shell and the CLI
# (crates/i18n) and by both windows (ui/src/lib/words.ts). How to add a message: docs/i18n.md.
#
# Placeables hold outside data only (names, numbers, reasons): never markup. Plurals select on
# $n with CLDR's categories (English: one, other).

## The app and the agent's state

app-name = Ringside
app-starting = starting…
app-not-running = not running
agent-logged-out = logged out
agent-available = accepting calls
agent-paused = paused
agent-ringing = ringing
agent-on-call = on a call
agent-wrap-up = in wrap-up
agent-since = since { $time }
agent-reason-since = { $reason }, since { $time }
agent-accepting = Accepting calls
agent-log-in = Log in
agent-log-out = Log out
agent-no-reason = No reason

## Supervisor: the team on the desk, switching another agent, the audit of switches, the tray's
## pause reasons, and their errors

team-title = Team
team-queue = Queue
team-all-queues = All queues
team-member = Agent
team-state = State
team-reason = Pause reason
team-since = Since
team-calls-taken = Calls taken
team-on-call = On a call
team-on-call-yes = yes
team-state-available = available
team-state-ringing = ringing
team-state-in-call = on a call
team-state-paused = paused
team-state-unavailable = unavailable
team-switch = Switch
team-pause = Pause
team-unpause = Accept calls
team-none = No agents in the supervised queues
team-audit-title = Switches
team-audit-none = No switches yet
team-audit-accepting = accepting calls
team-audit-paused = paused
team-audit-paused-reason = paused ({ $reason })
team-audit-unknown = not known
team-audit-switch = { $by } switched { $member }: { $before } → { $after }
tray-pause-with = Pause with a reason
cli-audit-none = No switches recorded
error-supervisor-not-enabled = This desk does not supervise other agents: set [supervisor] enabled = true in the config
error-supervisor-not-permitted = Your PBX account may not pause other agents: ask the PBX admin for the "{ $permission }" write permission (write = { $permission } in manager.conf)
error-supervisor-unknown-reason = "{ $reason }" is not one of the pause reasons; choose one of: { $known }
error-pbx-permission-denied = The PBX account may not send { $action }: ask the PBX admin for the "{ $permission }" write permission (write = { $permission } in manager.conf)

## Ringside's own pause reasons, by code (`[agent] pause_reasons`; the PBX gets the code)

pause-reason-break = Break
pause-reason-lunch = Lunch
pause-reason-training = Training
pause-reason-meeting = Meeting
pause-reason-back-office = Back office

source-connected = PBX: { $source }
source-disconnected = PBX disconnected: { $reason }
source-connecting = Connecting to the PBX…

## A call

direction-incoming = Incoming
direction-outgoing = Outgoing
status-ringing = Ringing
status-dialing = Dialing
status-on-call = On call
status-ended = Ended
end-completed = Completed
end-no-answer = Missed
end-answered-elsewhere = Answered elsewhere
end-answered-by = Answered by { $who }
end-abandoned = Caller hung up
end-busy = Busy
end-transferred = Transferred
end-failed = Failed: { $why }
end-interrupted = Interrupted
outcome-answered = Answered
outcome-missed = Missed
outcome-answered-elsewhere = Answered elsewhere
outcome-abandoned = Caller hung up
outcome-failed = Failed
outcome-busy = Busy
outcome-transferred = Transferred
outcome-interrupted = Interrupted
outcome-in-progress = In progress

## The call card

card-unknown-caller = Unknown caller
card-withheld = Number withheld
card-colleague = Colleague
card-looking-up = Looking up…
card-lookup-failed = Lookup failed: { $why }
card-pick =
    { $n ->
        [one] { $n } customer shares this number: pick the caller
       *[other] { $n } customers share this number: pick the caller
    }
card-queue = Queue { $queue }
card-details = Details
card-e164 = E.164
card-raw-number = As the PBX sent it
card-call-id = Call id
card-caller-id-name = Caller ID name
card-retry = Retry
card-create = Create customer…
card-create-name = Name
card-create-company = Company (optional)
card-create-add = Add
card-create-in = Create in
card-create-kind-customer = customer
card-create-kind-contact = contact
card-create-kind-lead = lead
card-cancel = Cancel
card-note-placeholder = Notes (saved as you type)
card-note-saved = saved
card-recording = Recording
card-call-back = Call back
card-hang-up = Hang up
card-close = Close
card-minimize = Minimize
card-expand = Expand
card-more =
    { $n ->
        [one] +{ $n } more call
       *[other] +{ $n } more calls
    }
card-window-title = Ringside call
customer-new-order = Add deal/order
customer-directory = customer directory
customer-caller = caller
customer-pick = This is the caller
customer-lead = Lead
customer-owner = Responsible: { $name }
deal-bound = call logged here
deal-bind = Log the call here
deal-unbind = Log the call to the customer, not a deal
customer-open = Open in CRM
customer-match-same-e164 = same E.164
customer-match-last-digits = last { $n } digits
customer-match-same-number-in = same number in { $crm }
customer-match-created = created on this call
customer-match-chosen-before = { $why }, chosen before

## Wrap-up

wrap-up-title = Wrap-up
wrap-up-left = { $time } left
wrap-up-untimed = until you finish it
wrap-up-save = Save
wrap-up-save-and-create = Save and create customer
wrap-up-cancel = Cancel
wrap-up-end-early = End early

## The desk

cards-none = No calls yet. Cards appear here when a call rings.
dial-placeholder = Number to call
dial-via = Call through
dial-call = Call
link-question = Call { $number }?
link-not-a-customer = Not in your customers
link-lookup-failed = { $who } (lookup failed: { $why })
link-service-code = This number contains * or #, which your phone system may read as a service code (call forwarding, voicemail). Call it only if you expect that.
link-through = Through
link-always = Call links without asking
link-cancel = Cancel
link-call = Call
callbacks-tab = Call back
callbacks-none = No one is waiting for a call back.
callbacks-waiting =
    { $n ->
        [one] { $n } caller waiting for a call back
       *[other] { $n } callers waiting for a call back
    }
callbacks-missed =
    { $n ->
        [one] { $n } missed call
       *[other] { $n } missed calls
    }
callbacks-last = last { $when }
callbacks-queue = queue { $queue }
callbacks-call = Call
callbacks-done = Done
callbacks-done-title = Nobody needs to call this number back any more
history-tab = History
history-search = Search a number, a name or a note
history-search-title = Searches as you type; words of one or two letters when you press Enter
history-missed-only = Missed only
history-both-directions = Both directions
history-any-outcome = Any outcome
history-any-time = Any time
history-today = Today
history-last-7 = Last 7 days
history-last-30 = Last 30 days
history-none = No calls yet.
history-agent = Agent (extension or name)
history-connection = Connection
history-call-id = Call id
history-no-match = No calls match.
history-more = The newest { $n } calls are shown: search to find older ones.
history-talked = talked { $time }
history-queue = queue { $queue }
history-deal = deal: { $deal }
history-via = via { $connection }
history-unsaved = Not written to disk yet: Ringside keeps retrying
history-crm = CRM: { $states }
history-crm-sent = { $target }: sent
history-crm-failed = { $target }: failed ({ $why })
history-crm-pending = { $target }: pending
settings-tab = Calling settings
settings-default = (default)
settings-installed = Installed: { $list }
settings-microsip-at = MicroSIP at { $path }
settings-zoiper-at = Zoiper at { $path }
settings-none-installed = No MicroSIP or Zoiper found.
settings-links-open-in = { $scheme }: links open in { $app }
settings-no-app = no application
settings-ask-links = Ask before calling a link clicked in another program
settings-become-handler = Make Ringside the handler for tel:, callto: and sip: links
settings-language = Language
about-version = Ringside { $version }
about-demo = demo PBX on { $addr }
about-config = config: { $path }
close = Close
dismiss = Dismiss

## Languages: each named in its own language, the same in every file; "auto" follows the
## operating system.

language-auto = Automatic (system)
language-en = English
language-ru = Русский
language-uk = Українська
language-pl = Polski

## Notices: in the desk and as desktop notifications (src-tauri/words.rs)

notice-show = Show
notice-auto-paused-summary = Ringside stopped accepting calls for you
notice-auto-paused-body =
    { $n ->
        [one] { $n } queue call rang out unanswered, so you are paused in every queue (reason: “{ $reason }”). Switch “accepting calls” back on when you are at your desk.
       *[other] { $n } queue calls in a row rang out unanswered, so you are paused in every queue (reason: “{ $reason }”). Switch “accepting calls” back on when you are at your desk.
    }
notice-missed-call-summary = Missed call from { $who }
notice-withheld = a withheld number
notice-missed-call-body =
    { $n ->
        [one] The caller is on your call-back list.
       *[other] { $n } callers are on your call-back list.
    }
notice-incoming-call-summary = Incoming call from { $who }
notice-wrap-up-resumed-summary = Your wrap-up goes on
notice-wrap-up-resumed-body = Ringside restarted during your wrap-up. It ends by itself in { $secs } s; finish it sooner in the Ringside window.
notice-wrap-up-pause-cleared-summary = You accept calls again
notice-wrap-up-pause-cleared-body = Your queues were still paused for a wrap-up that is over (Ringside had quit or lost the PBX), so Ringside switched accepting calls back on.

## The tray icon's menu and tooltip

tray-tooltip = Ringside: { $state }
tray-state-reason = { $state } ({ $reason })
tray-pbx-disconnected = PBX disconnected
tray-missed =
    { $n ->
        [0] No missed calls
        [one] { $n } missed caller to call back
       *[other] { $n } missed callers to call back
    }
tray-show-card = Show call card
tray-show-window = Show window
tray-quit = Quit Ringside

## Errors, by their code: `error-` and the code with every "." and "_" as "-"
## (pbx.login_refused → error-pbx-login-refused), with the placeables the error's args name.
## English itself shows the sentence the error carries (it may say more); these are the
## reference the other languages translate. A code a language lacks shows that sentence too.

error-app-starting = Ringside is still starting; try again in a moment
error-app-not-running = Ringside is not running: { $reason }
error-app-stopping = Ringside is shutting down
error-app-no-browser = The browser could not be started: { $reason }
error-app-window-gone = The Ringside window is closed
error-agent-not-now =
    { $state ->
        [logged_out] Log in first
        [ringing] Not now: a call is ringing
        [on_call] Not now: you are on a call
        [wrap_up] Not now: you are in wrap-up
       *[other] This is not possible now
    }
error-agent-other-call = That is not your current call
error-agent-busy = You are on a call; finish it first
error-number-empty = There is no number to dial
error-number-forbidden-character = { $character } ({ $code_point }) cannot be part of a phone number; only digits, a leading +, * and # can be dialed
error-number-too-long = The number is too long to be a phone number (at most { $max } digits)
error-pbx-no-secret = There is no AMI secret for user { $username }: store it with “ringside-cli secret set”, or set { $env }
error-pbx-unreachable = Cannot reach the PBX at { $addr }
error-pbx-no-answer = The PBX at { $addr } did not answer
error-pbx-not-ami = { $addr } is not an Asterisk Manager Interface
error-pbx-login-refused = The PBX refused the AMI login for user { $username }: wrong username or secret
error-pbx-refused = The PBX refused { $action }: { $reason }
error-pbx-call-not-placed = The call was not placed: { $reason }
error-pbx-action-timeout = The PBX did not answer { $action } within { $secs } s
error-pbx-stopped-answering = The PBX stopped answering
error-pbx-connection-lost = The connection to the PBX was lost
error-pbx-bad-frame = The PBX sent something Ringside cannot read
error-pbx-bad-action = Ringside could not send that to the PBX
error-pbx-not-connected = Not connected to the PBX; try again when the connection is back
error-pbx-logged-out = Logged out of the PBX
error-keychain-unavailable = The system keychain cannot be used
error-demo-not-started = The demo PBX could not start
error-call-none = There is no call to hang up
error-card-gone = That call’s card is no longer open
error-card-no-such-deal = That deal is no longer open for this customer; look up the caller again
error-customer-pick-not-remembered = The customer was picked for this call, but Ringside could not remember it for the next one
error-customer-no-name = Give the customer a name
error-customer-not-saved = The customer could not be saved
error-customer-no-page = { $name } has no page in a CRM
error-customer-no-such-target = Customers cannot be created in { $target }; they can be in: { $known }
error-customer-create-in-progress = The customer is being created in { $target } already; wait for it
error-customer-no-order-page = There is no page for a new order in { $source }: { $reason }
error-crm-create-failed = The customer could not be created in { $crm }: { $reason }
error-directory-unavailable = The customer directory is not available
error-directory-failed-earlier = The customer directory failed earlier; restart Ringside
error-directory-failed = The customer directory failed
error-dial-provider-refused = The telephony provider did not place the call
error-dial-no-connection = There is no connection { $name }; there is: { $known }
error-dial-service-code = { $number } contains * or #, which your phone system may read as a service code (call forwarding, voicemail); confirm to call it
error-dial-not-on-this-computer = This connection does not call from this computer
error-dial-softphone-not-installed = { $app } is not installed at { $path } (setting { $setting })
error-dial-softphone-not-found = { $app } was not found on this computer (setting { $setting })
error-dial-not-started = { $program } could not be started: { $reason }
error-dial-misconfigured = The connection { $connection } is not set up right: { $reason }
error-dial-link-handler = The desktop’s link handler could not be started
error-link-not-dialable = That link cannot be dialed: { $reason }
error-link-loop = Ringside handed the number to the desktop’s tel: handler, which is Ringside itself; the call was not placed
error-links-macos-at-install = On macOS, Ringside handles tel: links once installed from its disk image; choose it as the default calling app in FaceTime’s settings
error-links-not-registered = Ringside could not become the handler for { $scheme }: links: { $reason }
error-recording-none = The PBX named no recording of this call
error-history-no-folder = There is no home folder to keep the call history in
error-history-stopped = The call history stopped; restart Ringside
error-history-missing-folder = Ringside cannot open its call history: the folder { $path } does not exist
error-history-read-only = Ringside cannot write its call history ({ $path }): it is read-only
error-history-cannot-open = Ringside cannot open its call history ({ $path })
error-history-not-a-history = { $path } is a database, but not Ringside’s call history
error-history-damaged = Ringside’s call history { $path } is damaged; move it aside (Ringside then starts a new one) or restore it from a backup
error-history-too-new = The call history { $path } was written by a newer Ringside (format { $found }; this version reads up to { $supported }); update Ringside
error-history-busy = The call history { $path } is busy: another program holds it; try again
error-history-not-saved-kept = Ringside cannot write its call history ({ $path }): { $problem }. The change is kept and will be saved later.
error-history-not-saved = Ringside cannot write its call history ({ $path }): { $problem }
error-history-no-such-call = There is no call { $call } in the history
error-history-call-not-ended = The call { $call } has not ended yet
error-history-no-such-item = There is no such CRM write-back item in the history
error-history-invalid = The call history refused that request
error-history-export-failed = Ringside could not finish the export; the exported file is incomplete
error-history-database = The call history could not be read or written

## ringside-cli's words for people (its JSON is not translated)

cli-failed = ringside-cli: { $message }
cli-lookup-internal = { $number } is an internal extension (a colleague), not looked up
cli-lookup-found =
    { $n ->
        [0] { $key }: unknown caller
        [one] { $key }: { $n } customer
       *[other] { $key }: { $n } customers (pick one)
    }
cli-lookup-failed = lookup failed: { $why }
cli-customers-created = created { $name } in { $source } ({ $id })
cli-customers-no-id = no id in the answer
cli-customers-id = id { $id }
cli-customers-added = added { $name } (id { $id })
cli-customers-exported =
    { $n ->
        [one] { $n } customer written to { $file }
       *[other] { $n } customers written to { $file }
    }
cli-customers-target = { $name }{ $label }: creates a { $kind }
cli-customers-say-where = say where with --in TARGET
cli-history-none = no calls yet
cli-history-no-match = no calls match
cli-history-note = note: { $note }
cli-history-recording = recording: { $url }
cli-history-exported =
    { $n ->
        [one] { $n } call written to { $file }
       *[other] { $n } calls written to { $file }
    }
cli-demo-ringing = ringing { $to } from { $from }
cli-pbx-calling = calling { $number }
cli-pbx-handed-over = handed { $number } over
cli-pbx-ringing-you = Ringing { $device }; answer it to call { $number }…
cli-pbx-not-confirmed = { $interface }: the PBX accepted the request but did not confirm it within 3 s
cli-pbx-left-queues = { $interface } left the supervised queues
cli-customers-seeded =
    { $n ->
        [one] created { $file } with { $n } demo customer
       *[other] created { $file } with { $n } demo customers
    }
cli-lookup-sources =
    { $n ->
        [one] { $number }: { $n } customer from { $sources } in { $ms } ms
       *[other] { $number }: { $n } customers from { $sources } in { $ms } ms
    }
cli-lookup-chosen-before = (chosen before)
cli-import-report = { $file }: { $added } added, { $updated } updated, { $unchanged } unchanged, { $skipped } skipped
cli-import-more = … and { $n } more
cli-demo-listening = demo PBX listening on { $addr } (AMI; any user, secret “{ $secret }”); agents 100 and 101, queue 600. Ctrl-C stops it.
cli-history-by = by { $agent }
cli-history-crm-failed =
    { $n ->
        [one] { $target }: failed ({ $n } try): { $why }
       *[other] { $target }: failed ({ $n } tries): { $why }
    }
cli-pbx-in-queue = in { $queue }
cli-pbx-in-all-queues = in all queues
cli-member-available = available
cli-member-ringing = ringing
cli-member-in-call = in call
cli-member-unavailable = unavailable
cli-member-paused = paused
cli-secret-stored = stored { $label } in the OS keychain
cli-secret-removed = removed { $label } from the OS keychain

## The settings window
prefs-title = Ringside settings
tray-settings = Settings…
desk-open-settings = Settings
prefs-section-pbx = Phone system
prefs-section-calls = Calls and card
prefs-section-crm = CRMs
prefs-section-dial = Dialing
prefs-section-general = General
prefs-source-kind = Calls come from
prefs-demo-explained = The built-in demo PBX: try Ringside without a phone system. Choose “ami” to connect to your Asterisk.
prefs-ami-host = PBX address
prefs-ami-port = AMI port
prefs-ami-username = AMI user
prefs-ami-originate-context = Context for outgoing calls
prefs-ami-connect-timeout = Connection timeout, seconds
prefs-ami-ping-interval = Check the connection every, seconds
prefs-agent = You on the PBX
prefs-agent-extension = Extension
prefs-agent-name = Your name
prefs-agent-interfaces = Queue interfaces (one per line)
prefs-wrap-up = Wrap-up after each answered call
prefs-wrap-up-secs = Wrap-up ends by itself after, seconds (0: never)
prefs-auto-pause = Stop accepting calls after this many missed queue calls (0: off)
prefs-internal-max-len = Numbers this short are colleagues’ extensions
prefs-card-opens-on = The card opens
prefs-card-corner = Card corner
prefs-card-stack-limit = Cards shown at once
prefs-card-autoclose = Close a card of a call not answered here after, seconds
prefs-internal-delay = Wait before a colleague’s card opens, milliseconds
prefs-notify-incoming = Notify of a ringing call
prefs-language = Language
prefs-start-at-login = Start Ringside when I log in
prefs-region = Region for numbers without a country code
prefs-supervisor = Supervisor: show the team
prefs-supervisor-queues = Supervised queues (one per line; empty: all)
prefs-confirm-links = Ask before calling a link clicked in another program
prefs-crm-url = Search address
prefs-crm-auth-header = Header with the key
prefs-crm-auth-prefix = Before the key
prefs-crm-card-url = Customer page
prefs-crm-log-url = Where finished calls are written
prefs-crm-create-url = Where new customers are created
prefs-crm-create-as = “Create customer” makes a
prefs-crm-auto-create = Create an unknown caller I answer
prefs-dial-format = Number format
prefs-dial-prefix = Prefix
prefs-dial-path = Program path
prefs-dial-scheme = Link type
prefs-dial-program = Program
prefs-dial-args = Arguments (one per line)
prefs-dial-key = API key (public part)
prefs-dial-extension = Line that rings first
prefs-dial-project = Project
prefs-secret = Secret
prefs-secret-type = Type it to keep it in the keychain
prefs-secret-replace = Type a new one to replace it
prefs-secret-stored = Kept in the system keychain.
prefs-secret-remove = Remove
prefs-secret-missing = Not stored yet.
prefs-secret-no-keychain = This computer has no keychain: set the environment variable { $env } instead.
prefs-secret-from-env = Taken from the environment variable { $env }.
prefs-test = Test connection
prefs-test-number = Number to test with
prefs-step-demo = Demo PBX
prefs-step-tcp = Network
prefs-step-banner = Asterisk answers
prefs-step-secret = Secret
prefs-step-login = Login
prefs-step-permissions = Permissions
prefs-step-events = Events
prefs-step-agent-device = Your device
prefs-step-key = Key
prefs-step-lookup = Lookup
prefs-step-plan = What a call would do
prefs-remove = Remove
prefs-profile-name = name
prefs-add-crm = Add CRM
prefs-add-dial = Add connection
prefs-locked = Set by your IT department
prefs-system-file = Some settings come from { $file } and are locked.
prefs-user-file = Saved in { $file }
prefs-support = Support
prefs-support-hint = For a support ticket: the version, your system, these settings without passwords or keys, the connection check and the last lines of Ringside's log.
prefs-copy-diagnostics = Copy diagnostics
prefs-updates = Updates
prefs-updates-check = Look for updates at start and daily
prefs-updates-url = Update address (empty: Ringside's own)
prefs-check-updates = Check for updates now
update-checking = Looking for an update…
update-up-to-date = Ringside { $version } is up to date.
update-ready = Ringside { $version } is ready to install.
update-install = Install and restart
update-later = Later
prefs-diagnostics-copied = { $lines ->
    [one] Copied { $lines } line to the clipboard. Paste it into your ticket.
   *[other] Copied { $lines } lines to the clipboard. Paste them into your ticket.
}
prefs-save = Save
prefs-saved = Saved. Ringside uses the new settings now.
welcome-title = Welcome to Ringside
welcome-text = Ringside shows who is calling and keeps your “accepting calls” state. Where should calls come from?
welcome-demo = Try it with the demo PBX
welcome-connect = Connect to my PBX
error-settings-locked = { $key } is set by your IT department and cannot be changed here
error-settings-bad-change = This change cannot be saved: { $reason }
error-settings-invalid = The settings were not saved: { $reason }
error-diagnostics-clipboard = The diagnostics could not be put on the clipboard: { $reason }
error-update-no-key = This build of Ringside has no update key: updates come with your IT department's packages.
error-update-no-url = No update address is set: set one in the settings, or get updates from your IT department's packages.
error-update-bad-signature = An update was found, but its signature does not match Ringside's update key. It was refused and not installed.
error-update-insecure = The update address must start with https://
error-update-no-package = The update has no package for this system.
error-update-unreachable = The update server could not be reached: { $reason }
error-update-failed = Looking for an update failed: { $reason }
error-update-on-call = Ringside updates after the call: finish it and its wrap-up first.
error-update-none = There is no update ready to install.
error-settings-write-failed = The settings file could not be written, so nothing changed: { $reason }
error-settings-no-folder = There is no home folder to keep the settings file in
error-settings-no-such-secret = There is no secret { $which } in these settings
error-settings-empty-secret = Type the secret first
error-settings-secret-refused = This key was not stored: { $reason }
error-keychain-not-stored = This computer has no keychain: set the environment variable { $env } instead
error-config-invalid = The settings file cannot be used: { $reason }
error-pbx-reconnecting = Connecting with the new settings
prefs-opt-source-demo = The built-in demo PBX
prefs-opt-source-ami = Asterisk (AMI)
prefs-opt-opens-ringing = When it rings
prefs-opt-opens-answer = When I answer
prefs-opt-opens-never = Only when I ask
prefs-opt-corner-auto = Nearest the tray
prefs-opt-corner-top-right = Top right
prefs-opt-corner-bottom-right = Bottom right
prefs-opt-corner-top-left = Top left
prefs-opt-corner-bottom-left = Bottom left
prefs-opt-notify-when-card-hidden = When the card is not in view
prefs-opt-notify-always = Always
prefs-opt-notify-never = Never
prefs-opt-format-e164 = International with + (+380441234567)
prefs-opt-format-national = National (0441234567)
prefs-opt-format-international = International without + (380441234567)
prefs-opt-format-as-typed = As typed
prefs-opt-create-contact = Contact
prefs-opt-create-lead = Lead
prefs-opt-create-off = Off
prefs-locked-badge = locked
prefs-pause-reasons = Pause reasons (one per line: code: label)
prefs-lookup-timeout = Lookup time limit, milliseconds
prefs-lookup-order = Where callers are looked up, in order (one per line)
prefs-dial-default = Connection used by default
prefs-dial-default-first = The first one
prefs-crm-log-update-url = Where edits of a written call go
prefs-crm-new-order-url = Page for a new order
prefs-opt-create-customer = Customer
prefs-crm-plain-http = Allow plain http:// to another computer
prefs-crm-field-list = Answer: the list of customers (JSON pointer)
prefs-crm-field-id = Customer’s id
prefs-crm-field-name = Customer’s name
prefs-crm-field-company = Company
prefs-crm-field-url = Customer’s page
prefs-crm-field-orders = Open orders
prefs-crm-field-phone = Where a new customer’s number goes
prefs-directory-path = Customer directory file (empty: the default)
prefs-history-path = Call history file (empty: the default)
prefs-opt-source-nats = A Ringside relay (NATS)
prefs-nats-servers = Relay servers (one per line: nats://… or tls://…)
prefs-nats-tenant = Call center (tenant)
prefs-nats-user = Relay user
prefs-step-connect = Relay servers
prefs-step-relay = Relay answers
error-relay-unavailable = The relay cannot be reached: { $reason }
error-relay-refused = The relay refused: { $reason }
error-relay-no-secret = There is no relay password for user { $user }: type it in the settings, or set { $env }
error-relay-unreachable = The relay’s servers cannot be reached: { $reason }
error-relay-login-refused = The relay’s servers refused the login: { $reason }
