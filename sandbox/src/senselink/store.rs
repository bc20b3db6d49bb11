//! In-memory SenseLink tenant: persons, groups, departments, photos, records, devices.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;

use crate::common::rng::SplitMix64;

/// Person types (`type` field).
pub const TYPE_EMPLOYEE: u8 = 1;
pub const TYPE_VISITOR: u8 = 2;
pub const TYPE_STRANGER: u8 = 3;
pub const TYPE_DENY_LIST: u8 = 5;

/// Group types: employee, visitor, deny list (2.4.8's example shows 3, 2.4.11's shows 5; the
/// sandbox seeds 3 and accepts both as deny-list groups).
pub const GROUP_EMPLOYEE: u8 = 1;
pub const GROUP_VISITOR: u8 = 2;
pub const GROUP_DENY_LIST: u8 = 3;
pub const GROUP_DENY_LIST_ALT: u8 = 5;

/// The tenant's company id (`company_id`).
pub const COMPANY_ID: i64 = 1;

/// One registered person (employee, visitor or deny-list entry).
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub id: i64,
    pub kind: u8,
    /// Type before moving into the deny list (1 or 2), 0 otherwise.
    pub last_type: u8,
    pub name: String,
    /// Image id of the face photo (`avatar`), if any.
    pub avatar: Option<String>,
    pub mobile: Option<String>,
    pub remark: Option<String>,
    pub birthday: Option<String>,
    pub mail: Option<String>,
    pub position: Option<String>,
    pub location: Option<String>,
    pub prompt: Option<String>,
    pub ic_number: Option<String>,
    pub id_number: Option<String>,
    pub job_number: Option<String>,
    pub area_code: Option<String>,
    pub entry_time: Option<String>,
    pub guest_company: Option<String>,
    pub guest_purpose: Option<String>,
    pub guest_level: Option<String>,
    pub gender: Option<u8>,
    pub groups: Vec<i64>,
    pub department_id: i64,
    pub reception_user_id: Option<i64>,
    /// Visit window, Unix seconds.
    pub date_time_from: Option<i64>,
    pub date_time_to: Option<i64>,
    /// Unix seconds.
    pub create_at: i64,
    pub update_at: i64,
    pub create_by: String,
}

impl Person {
    /// The text field a request parameter (camelCase, as in the seed) writes to.
    pub fn text_field_mut(&mut self, param: &str) -> &mut Option<String> {
        match param {
            "mobile" => &mut self.mobile,
            "remark" => &mut self.remark,
            "birthday" => &mut self.birthday,
            "mail" => &mut self.mail,
            "position" => &mut self.position,
            "location" => &mut self.location,
            "prompt" => &mut self.prompt,
            "icNumber" => &mut self.ic_number,
            "idNumber" => &mut self.id_number,
            "jobNumber" => &mut self.job_number,
            "areaCode" => &mut self.area_code,
            "entryTime" => &mut self.entry_time,
            "guestCompany" => &mut self.guest_company,
            "guestPurpose" => &mut self.guest_purpose,
            "level" => &mut self.guest_level,
            other => panic!("no person text field for parameter {other}"),
        }
    }

    /// Read-only counterpart of [`Person::text_field_mut`].
    pub fn text_field(&self, param: &str) -> Option<&str> {
        let value = match param {
            "mobile" => &self.mobile,
            "remark" => &self.remark,
            "birthday" => &self.birthday,
            "mail" => &self.mail,
            "position" => &self.position,
            "location" => &self.location,
            "prompt" => &self.prompt,
            "icNumber" => &self.ic_number,
            "idNumber" => &self.id_number,
            "jobNumber" => &self.job_number,
            "areaCode" => &self.area_code,
            "entryTime" => &self.entry_time,
            "guestCompany" => &self.guest_company,
            "guestPurpose" => &self.guest_purpose,
            "level" => &self.guest_level,
            _ => &None,
        };
        value.as_deref()
    }
}

/// A person group.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub kind: u8,
    pub remark: String,
    pub create_at: i64,
    pub update_at: i64,
}

/// A department (tree through `parent_id`, 0 = directly under the company).
#[derive(Debug, Clone)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub parent_id: i64,
    pub leader_id: i64,
}

/// A stored face photo.
#[derive(Debug, Clone)]
pub struct Photo {
    pub bytes: Bytes,
    pub content_type: &'static str,
    pub sha256: String,
}

/// A face photo added (remark 0) or replaced (remark 1) — feeds `image_updated`.
#[derive(Debug, Clone)]
pub struct ImageUpdate {
    pub person_id: i64,
    pub avatar: String,
    pub at: i64,
    pub remark: u8,
}

/// A recognition record at a terminal.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: i64,
    /// 0 for strangers.
    pub user_id: i64,
    pub name: String,
    pub kind: u8,
    /// Unix seconds.
    pub sign_time: i64,
    pub device_id: i64,
    pub direction: u8,
    /// Similarity score in [0, 1].
    pub verify_score: f64,
    pub mask: u8,
    pub job_number: String,
    pub ic_number: String,
}

/// A door terminal.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: i64,
    pub name: String,
    pub ldid: String,
    pub location: String,
}

/// The whole tenant.
#[derive(Debug, Clone)]
pub struct Store {
    pub persons: BTreeMap<i64, Person>,
    pub groups: BTreeMap<i64, Group>,
    pub departments: BTreeMap<i64, Department>,
    pub photos: HashMap<String, Photo>,
    pub image_updates: Vec<ImageUpdate>,
    pub records: Vec<Record>,
    pub devices: Vec<Device>,
    /// Continues the seeded sequence for ids made at run time (image ids, message ids).
    pub rng: SplitMix64,
    pub next_person_id: i64,
    pub next_group_id: i64,
    pub next_record_id: i64,
}

impl Store {
    /// A fresh image id (24 hex digits, like the real ones).
    pub fn new_image_id(&mut self) -> String {
        self.rng.hex(24)
    }

    /// Next person id.
    pub fn allocate_person_id(&mut self) -> i64 {
        let id = self.next_person_id;
        self.next_person_id += 1;
        id
    }

    /// Stores a photo under a new image id and returns the id.
    pub fn add_photo(&mut self, photo: Photo) -> String {
        let id = self.new_image_id();
        self.photos.insert(id.clone(), photo);
        id
    }

    /// sha256 of a person's current photo.
    pub fn photo_sha256(&self, person: &Person) -> Option<&str> {
        person.avatar.as_ref().and_then(|a| self.photos.get(a)).map(|p| p.sha256.as_str())
    }

    /// The first person (other than `exclude`) whose photo has the same bytes.
    pub fn similar_person(&self, sha256: &str, exclude: Option<i64>) -> Option<&Person> {
        self.persons
            .values()
            .filter(|p| Some(p.id) != exclude)
            .find(|p| self.photo_sha256(p) == Some(sha256))
    }

    /// The first person (other than `exclude`) whose `param` field equals `value` (non-empty).
    pub fn person_with(&self, param: &str, value: &str, exclude: Option<i64>) -> Option<&Person> {
        if value.is_empty() {
            return None;
        }
        self.persons
            .values()
            .filter(|p| Some(p.id) != exclude)
            .find(|p| p.text_field(param) == Some(value))
    }

    /// Employee with this id.
    pub fn employee(&self, id: i64) -> Option<&Person> {
        self.persons.get(&id).filter(|p| p.kind == TYPE_EMPLOYEE)
    }
}
