//! The sandbox's two tables: stay records, and the feed of their changes.

pub(crate) mod stay_record {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stay_record")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_id: String,
        pub surname: String,
        pub given_names: String,
        pub date_of_birth: Date,
        #[sea_orm(unique_key = "passport")]
        pub nationality: String,
        #[sea_orm(unique_key = "passport")]
        pub document_number: String,
        /// A category code.
        pub visa_category: String,
        pub last_entry: Option<Date>,
        pub permitted_stay_end: Option<Date>,
        /// A status code.
        pub status: String,
        pub work_permit: Option<String>,
        pub boi_approval: Option<String>,
        pub ltr_approval: Option<String>,
        pub smart_approval: Option<String>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod stay_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stay_change")]
    pub struct Model {
        /// The feed's cursor.
        #[sea_orm(primary_key)]
        pub cursor: i64,
        pub record_id: String,
        pub nationality: String,
        pub document_number: String,
        /// A change kind code.
        pub kind: String,
        pub changed_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
