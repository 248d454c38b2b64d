package dev.reasoningsdk.impl.spark.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Input-schema checks shared by the transformers, each naming the column and what was wrong. Not API. */
public final class SchemaChecks {

    private SchemaChecks() {
    }

    /** {@code name} as a column name setting. */
    public static String columnName(String name, String option) {
        Objects.requireNonNull(name, option);
        if (name.isBlank()) {
            throw new IllegalArgumentException(option + " must not be blank");
        }
        return name;
    }

    /** The type of column {@code name}. */
    public static DataType type(StructType schema, String name) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("input has no column '" + name + "'; it has " + Arrays.toString(
                    schema.fieldNames()));
        }
        return schema.apply(name).dataType();
    }

    /** Column {@code name} exists and holds strings. */
    public static void requireString(StructType schema, String name) {
        DataType type = type(schema, name);
        if (!type.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("column '" + name + "' must be a string, was " + type.simpleString());
        }
    }

    /** Whether column {@code name} holds an array of strings; else it must hold strings. */
    public static boolean isStringArray(StructType schema, String name) {
        DataType type = type(schema, name);
        if (type instanceof ArrayType array && array.elementType().equals(DataTypes.StringType)) {
            return true;
        }
        if (!type.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("column '" + name + "' must be a string or an array of strings, was "
                    + type.simpleString());
        }
        return false;
    }

    /** None of {@code outputs} is a column already. */
    public static void requireAbsent(StructType schema, List<String> outputs) {
        List<String> present = Arrays.asList(schema.fieldNames());
        for (String output : outputs) {
            if (present.contains(output)) {
                throw new IllegalArgumentException("input already has a column '" + output
                        + "', which this transformer writes; rename or drop it first");
            }
        }
    }
}
